/// Orders: the part of `ShopState` that `OrderService` owns.
public struct OrderState: Sendable, Equatable {
  public internal(set) var orders = OrderTable()
  public internal(set) var nextOrderId = 1
  public internal(set) var nextOrderItemId = 1
  /// Order ids of each user, ascending (an index over `orders`).
  public internal(set) var orderIdsByUser: [Int: [Int]] = [:]

  public init() {}

  /// Applies the events that concern orders (not their stock, which the catalog keeps);
  /// ignores the others.
  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .orderPlaced(let order, _), .orderRestored(let order):
      if orders.updateValue(order, forKey: order.id) == nil { index(order) }
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
    guard let userId else { return orders.values.sorted { $0.id < $1.id } }
    return (orderIdsByUser[userId] ?? []).compactMap { orders[$0] }
  }

  /// Adds `order` to its user's ascending id list (ids usually arrive in order: append). The
  /// list is changed in place: a copy taken out of the dictionary would be copied again on
  /// every order, which made replay quadratic in the orders per user.
  private mutating func index(_ order: Order) {
    let id = order.id
    if let last = orderIdsByUser[order.userId]?.last, last > id {
      let position = orderIdsByUser[order.userId]!.firstIndex { $0 > id }!
      orderIdsByUser[order.userId]!.insert(id, at: position)
    } else {
      orderIdsByUser[order.userId, default: []].append(id)
    }
  }
}
