/// Orders by id. Ids are handed out in sequence from 1, so they index an array (no hashing,
/// and growth is one copy instead of a rehash: what replaying a million orders spends most on
/// otherwise); an id far beyond the others (only a hand-made log has those) goes to a
/// dictionary instead, so memory stays bounded by the number of orders.
public struct OrderTable: Sendable {
  /// `dense[id - 1]`.
  private var dense: [Order?] = []
  private var sparse: [Int: Order] = [:]
  /// How many orders the table holds.
  public private(set) var count = 0

  public init() {}

  /// Whether `id` belongs in `dense` (growing it by at most about its size plus 1024).
  private func isDense(_ id: Int) -> Bool {
    id >= 1 && id <= dense.count + max(dense.count, 1024)
  }

  /// The order with `id`; setting nil removes it.
  public subscript(id: Int) -> Order? {
    get {
      if id >= 1 && id <= dense.count { return dense[id - 1] }
      return sparse.isEmpty ? nil : sparse[id]
    }
    set {
      if isDense(id) {
        if id > dense.count {
          guard newValue != nil else { return }
          // Sparse ids that the array now covers move into it.
          while dense.count < id - 1 { dense.append(sparse.removeValue(forKey: dense.count + 1)) }
          dense.append(newValue)
          count += 1
          return
        }
        count += (newValue == nil ? 0 : 1) - (dense[id - 1] == nil ? 0 : 1)
        dense[id - 1] = newValue
      } else {
        count += (newValue == nil ? 0 : 1) - (sparse[id] == nil ? 0 : 1)
        sparse[id] = newValue
      }
    }
  }

  /// Sets the order with `id`, returning the one it replaces (nil when new).
  @discardableResult
  public mutating func updateValue(_ order: Order, forKey id: Int) -> Order? {
    let old = self[id]
    self[id] = order
    return old
  }

  /// Every order, dense ids first in ascending order, then the sparse ones in no order.
  public var values: [Order] {
    var result: [Order] = []
    result.reserveCapacity(count)
    for order in dense { if let order { result.append(order) } }
    result += sparse.values
    return result
  }
}

extension OrderTable: Equatable {
  /// Equal when they hold the same orders under the same ids (however they are stored).
  public static func == (lhs: OrderTable, rhs: OrderTable) -> Bool {
    guard lhs.count == rhs.count else { return false }
    for (index, order) in lhs.dense.enumerated() where order != nil {
      if rhs[index + 1] != order { return false }
    }
    for (id, order) in lhs.sparse where rhs[id] != order { return false }
    return true
  }
}
