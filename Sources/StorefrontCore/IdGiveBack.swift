/// Gives back the `count` ids from `first` that a refused write took from the counter `next`,
/// when nothing after them was handed out since and none of them is committed (`committed`:
/// the state's next id); returns whether it did. Ids of a refused write are otherwise skipped,
/// as a database sequence skips them.
///
/// ```swift
/// if giveBackIds(order.id, to: &nextOrderId, committed: state.nextOrderId) { ... }
/// ```
@discardableResult
func giveBackIds(_ first: Int, count: Int = 1, to next: inout Int, committed: Int) -> Bool {
  guard count > 0, next == first + count, first >= committed else { return false }
  next = first
  return true
}
