import JSON
import Primitives

/// Orders: placement (all or nothing, never overselling, safe to retry with an
/// `Idempotency-Key`), listing, status changes.
///
/// ```swift
/// let order = try await orders.placeOrder(body, by: caller)        // 201 order.json
/// let list = await orders.orders(visibleTo: caller)                // 200 [order.json]
/// let changed = try await orders.updateStatus(orderId: 7, body, by: caller) // 200 statusJSON
/// ```
public actor OrderService {
  private var state: OrderState
  let catalog: CatalogService
  let sink: any EventSink
  let clock: @Sendable () -> Timestamp
  /// Stored answers of requests with an `Idempotency-Key`.
  var idempotency: IdempotencyState
  /// How long an idempotency record is replayed, in seconds.
  let idempotencyTTLSeconds: Int64
  /// Keys whose first request is running, with the digest of its body.
  var keysInProgress: [IdempotencyState.Scope: String] = [:]

  private var nextOrderId: Int
  private var nextOrderItemId: Int
  /// Status changes run one at a time (admin-only and rare; one key for all), so two changes
  /// of one order cannot both pass the terminal-status check or both give stock back.
  private let statusChanges = TurnLock<Int>()
  /// Each order's JSON, encoded on first listing and dropped when its status changes.
  private var encodedOrders: [Int: [UInt8]] = [:]
  /// Each customer's last rendered unfiltered list, for answers without a hop to this actor.
  public nonisolated let listBodies = OrderListBodies()

  /// A service over replayed `state` and `idempotency` records; stock lives in `catalog`.
  public init(
    state: OrderState, idempotency: IdempotencyState = IdempotencyState(),
    idempotencyTTLSeconds: Int = 86_400, catalog: CatalogService, sink: any EventSink,
    clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) {
    self.state = state
    self.idempotency = idempotency
    self.idempotencyTTLSeconds = Int64(idempotencyTTLSeconds)
    self.catalog = catalog
    self.sink = sink
    self.clock = clock
    self.nextOrderId = state.nextOrderId
    self.nextOrderItemId = state.nextOrderItemId
  }

  /// The committed state (for tests and tools).
  public var currentState: OrderState { state }

  /// The idempotency records (for tests and tools).
  public var currentIdempotency: IdempotencyState { idempotency }

  /// `GET /orders/`: the caller's own orders, or all for staff, by ascending id.
  public func orders(visibleTo user: User) -> [Order] {
    state.sortedOrders(ofUser: user.isStaff ? nil : user.id)
  }

  /// `GET /orders/` as a ready body: the JSON array of ``orders(visibleTo:)``, built from each
  /// order's cached encoding.
  public func encodedOrderList(visibleTo user: User) -> [UInt8] {
    let body = encode(orders(visibleTo: user)[...])
    if !user.isStaff { listBodies.store(body, ofUser: user.id) }
    return body
  }

  /// `GET /orders/?status=...&ordering=...&limit=...`: how many orders match `query`, and the
  /// JSON array of those in `window`.
  public func encodedOrderList(
    visibleTo user: User, query: OrderQuery, window: ListWindow
  ) -> (count: Int, body: [UInt8]) {
    let matching = query.apply(to: orders(visibleTo: user))
    return (matching.count, encode(matching[window.range(count: matching.count)]))
  }

  /// `GET /orders/<id>/`: the order if `user` placed it or is staff; nil otherwise (another
  /// user's order is a 404, so ids do not leak).
  public func order(id: Int, visibleTo user: User) -> Order? {
    guard let order = state.orders[id], user.isStaff || order.userId == user.id else {
      return nil
    }
    return order
  }

  /// The JSON array of `orders`, from each order's cached encoding.
  private func encode(_ orders: ArraySlice<Order>) -> [UInt8] {
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

  /// `POST /orders/`: validates `{items: [{product, variant?, quantity}]}`, holds stock for every
  /// variant item, writes one `orderPlaced` event (price snapshot and stock deltas) and applies
  /// it. Answer 201 with `order.json`.
  public func placeOrder(_ body: JSONValue, by user: User) async throws(ShopError) -> Order {
    try await place(body, by: user, recording: nil)
  }

  /// ``placeOrder(_:by:)``, writing `recording(order)` in the same batch as the order.
  func place(
    _ body: JSONValue, by user: User, recording: ((Order) -> IdempotencyRecord)?
  ) async throws(ShopError) -> Order {
    let drafts = try OrderLineDraft.parse(body)
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> Order in
      try await placeAttempt(drafts, by: user, recording: recording)
    }
  }

  /// One attempt of ``place(_:by:recording:)``.
  func placeAttempt(
    _ drafts: [OrderLineDraft], by user: User, recording: ((Order) -> IdempotencyRecord)?
  ) async throws(ShopError) -> Order {
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
    let record = recording.map { ShopEvent.idempotencyRecorded($0(order)) }
    do {
      try await sink.append([event] + (record.map { [$0] } ?? []))
    } catch {
      await catalog.release(reservation)
      if giveBackIds(order.id, to: &nextOrderId, committed: state.nextOrderId),
        let first = items.first?.id
      {
        giveBackIds(
          first, count: items.count, to: &nextOrderItemId, committed: state.nextOrderItemId)
      }
      throw .sinkFailure(error)
    }
    state.apply(event)
    listBodies.drop(ofUser: user.id)
    if let record { idempotency.apply(record) }
    let generation = await catalog.commit(reservation, event: event)
    // Acknowledged once the catalog lists show the new stock.
    await catalog.snapshot.waitUntilRendered(generation)
    return order
  }

  /// `PATCH /orders/<id>/update-status/` (admin): `{status}` one of `created`, `paid`,
  /// `shipped`, `delivered`, `cancelled`. Unknown id: `ShopError.orderNotFound`. Out of a
  /// terminal status: `{"status": ["Cannot change status of a delivered order."]}`. Cancelling
  /// gives the order's stock back. Answer 200 with `order.statusJSON`.
  ///
  /// `body` is read only once the order is known to exist, as DRF's `get_object()` runs before
  /// the parser: an unknown order is a 404 whatever the body holds. What `body` throws is
  /// rethrown as it is; everything else is a `ShopError`.
  public func updateStatus(
    orderId: Int, _ body: @autoclosure @Sendable () throws -> JSONValue, by user: User
  ) async throws -> Order {
    guard user.isStaff else { throw ShopError.forbidden }
    guard state.orders[orderId] != nil else { throw ShopError.orderNotFound }
    var reader = FieldReader(try FieldReader.object(try body()))
    let choice = reader.choice("status", OrderStatus.allCases.map(\.rawValue))
    try reader.errors.throwIfAny()
    let status = OrderStatus(rawValue: choice!)!

    await statusChanges.acquire(0)
    defer { statusChanges.release(0) }
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> Order in
      try await changeStatus(orderId: orderId, to: status)
    }
  }

  /// One attempt of a status change, in the status-change turn.
  private func changeStatus(orderId: Int, to status: OrderStatus) async throws(ShopError) -> Order {
    guard let order = state.orders[orderId] else { throw ShopError.orderNotFound }
    if order.status.isTerminal {
      throw ShopError.validation(
        ValidationError(
          field: "status", "Cannot change status of a \(order.status.rawValue) order."))
    }
    let stock = status == .cancelled ? order.reservedStock : []
    let event = ShopEvent.orderStatusChanged(
      orderId: orderId, status: status, updatedAt: max(clock(), order.updatedAt), stock: stock)
    do {
      try await sink.append([event])
    } catch {
      throw ShopError.sinkFailure(error)
    }
    state.apply(event)
    encodedOrders[orderId] = nil
    listBodies.drop(ofUser: order.userId)
    if !stock.isEmpty {
      let generation = await catalog.applyCommitted(event)
      await catalog.snapshot.waitUntilRendered(generation)
    }
    return state.orders[orderId]!
  }

  // MARK: Other writers

  /// Applies orders, status changes and idempotency records other writers (other nodes)
  /// committed, in log order (their stock goes through ``CatalogService/applyForeign(_:)``).
  /// Commands that validated before are refused by the sink and run again.
  public func applyForeign(_ events: [ShopEvent]) {
    for event in events {
      state.apply(event)
      idempotency.apply(event)
      switch event {
      case .orderPlaced(let order, _), .orderRestored(let order):
        encodedOrders[order.id] = nil
        listBodies.drop(ofUser: order.userId)
      case .orderStatusChanged(let orderId, _, _, _):
        encodedOrders[orderId] = nil
        if let userId = state.orders[orderId]?.userId { listBodies.drop(ofUser: userId) }
      default:
        break
      }
    }
    nextOrderId = max(nextOrderId, state.nextOrderId)
    nextOrderItemId = max(nextOrderItemId, state.nextOrderItemId)
  }
}
