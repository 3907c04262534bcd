/// Orders: the part of `ShopState` that `OrderService` owns.
public struct OrderState: Sendable, Equatable {
  public internal(set) var orders: [Int: Order] = [:]
  public internal(set) var nextOrderId = 1
  public internal(set) var nextOrderItemId = 1

  public init() {}

  /// Applies the events that concern orders (not their stock, which the catalog keeps);
  /// ignores the others.
  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .orderPlaced(let order, _), .orderRestored(let order):
      orders[order.id] = order
      nextOrderId = max(nextOrderId, order.id + 1)
      for item in order.items { nextOrderItemId = max(nextOrderItemId, item.id + 1) }
    case .orderStatusChanged(let orderId, let status, let updatedAt, _):
      orders[orderId]?.status = status
      orders[orderId]?.updatedAt = updatedAt
    case .sequencesRestored(let sequences):
      nextOrderId = max(nextOrderId, sequences.nextOrderId)
      nextOrderItemId = max(nextOrderItemId, sequences.nextOrderItemId)
    default:
      break
    }
  }

  /// The orders of `userId` (or all when nil) by ascending id.
  public func sortedOrders(ofUser userId: Int?) -> [Order] {
    let selected =
      userId.map { id in orders.values.filter { $0.userId == id } } ?? Array(orders.values)
    return selected.sorted { $0.id < $1.id }
  }
}
