import EventLog

/// The state a ``ShopEvent`` log builds; deterministic, so two replays can be compared.
public struct ShopState: Sendable, Equatable {
  public var users: [Int: String] = [:]
  public var products: [Int: ShopEvent] = [:]
  public var stock: [Int: Int] = [:]
  public var orders: [Int: ShopEvent.Order] = [:]

  public init() {}

  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .userRegistered(let id, let email, _):
      users[id] = email
    case .productCreated(let id, _, _, let count):
      products[id] = event
      stock[id] = count
    case .orderPlaced(let order):
      orders[order.id] = order
      for item in order.items { stock[item.productID, default: 0] -= item.quantity }
    case .orderStatusChanged(let orderID, let status):
      orders[orderID]?.status = status
    case .stockSet(let productID, let count):
      stock[productID] = count
    }
  }

  /// Events that rebuild exactly this state (users, products, orders, then stock levels).
  public func snapshotEvents() -> [ShopEvent] {
    var events: [ShopEvent] = []
    for id in users.keys.sorted() {
      events.append(.userRegistered(id: id, email: users[id]!, name: ""))
    }
    for id in products.keys.sorted() { events.append(products[id]!) }
    for id in orders.keys.sorted() { events.append(.orderPlaced(orders[id]!)) }
    for id in stock.keys.sorted() { events.append(.stockSet(productID: id, stock: stock[id]!)) }
    return events
  }

  /// A compactor built from ``apply(_:)`` and ``snapshotEvents()``.
  public static var compactor: LogCompactor<ShopEvent> {
    LogCompactor(
      makeState: { ShopState() }, apply: { state, record in state.apply(record.event) },
      snapshot: { $0.snapshotEvents() })
  }

  /// The state after `ShopEvent.sample(1...count)`.
  public static func afterSamples(_ count: Int) -> ShopState {
    var state = ShopState()
    if count > 0 { for index in 1...count { state.apply(.sample(index)) } }
    return state
  }
}
