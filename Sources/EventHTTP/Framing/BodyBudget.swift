import Synchronization

/// A cap on the bytes of request bodies a server holds at once (being received, or received
/// and not yet answered), shared by all its loops (`limits.max_inflight_body_bytes`).
///
/// ```swift
/// let budget = BodyBudget(capacity: 64 << 20)
/// if budget.reserve(length) { /* read the body */ } else { /* 503 */ }
/// budget.release(length)
/// ```
public final class BodyBudget: Sendable {
  /// The most bytes that may be reserved at once.
  public let capacity: Int
  private let reserved = Atomic<Int>(0)

  public init(capacity: Int) { self.capacity = max(0, capacity) }

  /// Bytes reserved now.
  public var inUse: Int { reserved.load(ordering: .relaxed) }

  /// Takes `bytes` from the budget; `false` (taking nothing) when that would exceed it.
  public func reserve(_ bytes: Int) -> Bool {
    guard bytes > 0 else { return true }
    var current = reserved.load(ordering: .relaxed)
    while true {
      guard bytes <= capacity - current else { return false }
      let (exchanged, original) = reserved.compareExchange(
        expected: current, desired: current + bytes, ordering: .relaxed)
      if exchanged { return true }
      current = original
    }
  }

  /// Gives back bytes taken by ``reserve(_:)``.
  public func release(_ bytes: Int) {
    guard bytes > 0 else { return }
    reserved.subtract(bytes, ordering: .relaxed)
  }
}
