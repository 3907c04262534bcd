import JSON

/// Orders: placement (all or nothing, never overselling), listing, status changes.
///
/// ```swift
/// let order = try await orders.placeOrder(body, by: caller)        // 201 order.json
/// let list = await orders.orders(visibleTo: caller)                // 200 [order.json]
/// let changed = try await orders.updateStatus(orderId: 7, body, by: caller) // 200 statusJSON
/// ```
public actor OrderService {
  private var state: OrderState
  private let catalog: CatalogService
  private let sink: any EventSink
  private let clock: @Sendable () -> Timestamp

  private var nextOrderId: Int
  private var nextOrderItemId: Int
  /// Status changes run one at a time (admin-only and rare), so two changes of one order
  /// cannot both pass the terminal-status check or both give stock back.
  private var statusChangeBusy = false
  private var statusChangeWaiters: [CheckedContinuation<Void, Never>] = []
  /// Each order's JSON, encoded on first listing and dropped when its status changes.
  private var encodedOrders: [Int: [UInt8]] = [:]

  /// A service over replayed `state`; stock lives in `catalog`.
  public init(
    state: OrderState, catalog: CatalogService, sink: any EventSink,
    clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) {
    self.state = state
    self.catalog = catalog
    self.sink = sink
    self.clock = clock
    self.nextOrderId = state.nextOrderId
    self.nextOrderItemId = state.nextOrderItemId
  }

  /// The committed state (for tests and tools).
  public var currentState: OrderState { state }

  /// `GET /orders/`: the caller's own orders, or all for staff, by ascending id.
  public func orders(visibleTo user: User) -> [Order] {
    state.sortedOrders(ofUser: user.isStaff ? nil : user.id)
  }

  /// `GET /orders/` as a ready body: the JSON array of ``orders(visibleTo:)``, built from each
  /// order's cached encoding.
  public func encodedOrderList(visibleTo user: User) -> [UInt8] {
    let orders = orders(visibleTo: user)
    var writer = JSONWriter(capacity: 2 + orders.count * 320)
    writer.beginArray()
    for order in orders {
      if let cached = encodedOrders[order.id] {
        writer.raw(cached)
      } else {
        let encoded = order.json.encoded()
        encodedOrders[order.id] = encoded
        writer.raw(encoded)
      }
    }
    writer.endArray()
    return writer.bytes
  }

  /// The order with `id`, if any.
  public func order(id: Int) -> Order? { state.orders[id] }

  /// `POST /orders/`: validates `{items: [{product, variant?, quantity}]}`, holds stock for every
  /// variant item, writes one `orderPlaced` event (price snapshot and stock deltas) and applies
  /// it. Answer 201 with `order.json`.
  public func placeOrder(_ body: JSONValue, by user: User) async throws(ShopError) -> Order {
    let drafts = try OrderLineDraft.parse(body)
    let reservation = try await catalog.reserve(drafts)
    let now = clock()
    var items: [OrderItem] = []
    for line in reservation.lines {
      items.append(
        OrderItem(
          id: nextOrderItemId, productId: line.productId, variantId: line.variantId,
          quantity: line.quantity, price: line.price))
      nextOrderItemId += 1
    }
    let order = Order(
      id: nextOrderId, userId: user.id, userName: user.username, status: .created, items: items,
      createdAt: now, updatedAt: now)
    nextOrderId += 1
    let event = ShopEvent.orderPlaced(order, stock: reservation.stockDeltas)
    do {
      try await sink.append([event])
    } catch {
      await catalog.release(reservation)
      throw .unavailable(reason: "\(error)")
    }
    state.apply(event)
    let generation = await catalog.commit(reservation, event: event)
    // Acknowledged once the catalog lists show the new stock.
    await catalog.snapshot.waitUntilRendered(generation)
    return order
  }

  /// `PATCH /orders/<id>/update-status/` (admin): `{status}` one of `created`, `paid`,
  /// `shipped`, `delivered`, `cancelled`. Unknown id: `ShopError.orderNotFound`. Out of a
  /// terminal status: `{"status": ["Cannot change status of a delivered order."]}`. Cancelling
  /// gives the order's stock back. Answer 200 with `order.statusJSON`.
  public func updateStatus(
    orderId: Int, _ body: JSONValue, by user: User
  ) async throws(ShopError) -> Order {
    guard user.isStaff else { throw .forbidden }
    guard state.orders[orderId] != nil else { throw .orderNotFound }
    var reader = FieldReader(try FieldReader.object(body))
    let choice = reader.choice("status", OrderStatus.allCases.map(\.rawValue))
    try reader.errors.throwIfAny()
    let status = OrderStatus(rawValue: choice!)!

    await acquireStatusChange()
    defer { releaseStatusChange() }
    let order = state.orders[orderId]!
    if order.status.isTerminal {
      throw .validation(
        ValidationError(
          field: "status", "Cannot change status of a \(order.status.rawValue) order."))
    }
    let stock = status == .cancelled ? order.reservedStock : []
    let event = ShopEvent.orderStatusChanged(
      orderId: orderId, status: status, updatedAt: max(clock(), order.updatedAt), stock: stock)
    do {
      try await sink.append([event])
    } catch {
      throw .unavailable(reason: "\(error)")
    }
    state.apply(event)
    encodedOrders[orderId] = nil
    if !stock.isEmpty {
      let generation = await catalog.applyCommitted(event)
      await catalog.snapshot.waitUntilRendered(generation)
    }
    return state.orders[orderId]!
  }

  private func acquireStatusChange() async {
    if !statusChangeBusy {
      statusChangeBusy = true
      return
    }
    await withCheckedContinuation { statusChangeWaiters.append($0) }
  }

  private func releaseStatusChange() {
    if statusChangeWaiters.isEmpty {
      statusChangeBusy = false
    } else {
      // Hand the turn over directly: the flag stays set for the next waiter.
      statusChangeWaiters.removeFirst().resume()
    }
  }
}
