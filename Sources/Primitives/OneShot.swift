/// A value handed from one thread to threads that block until it arrives; set once (later sets
/// replace it), read any number of times.
///
/// ```swift
/// let outcome = OneShot<Int>()
/// DetachedThread.start { outcome.set(42) }
/// let answer = outcome.wait()  // 42
/// ```
// @unchecked Sendable: `value` is only read or written with `lock` held.
public final class OneShot<Value: Sendable>: @unchecked Sendable {
  private let lock = ConditionLock()
  private var value: Value?

  public init() {}

  /// Stores `newValue` and wakes every waiter.
  public func set(_ newValue: Value) {
    lock.withLock {
      value = newValue
      lock.broadcast()
    }
  }

  /// Blocks until a value is set, and returns it.
  public func wait() -> Value {
    lock.lock()
    defer { lock.unlock() }
    while true {
      if let value { return value }
      lock.wait()
    }
  }
}
