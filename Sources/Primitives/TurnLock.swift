/// Turns taken one at a time per key, in arrival order, by the tasks of one actor: a critical
/// section that spans `await`s (actor reentrancy would otherwise let a second call in).
///
/// Not `Sendable`: it belongs to one actor, whose isolation ``acquire(_:isolation:)`` inherits.
/// A released turn passes directly to the next waiter of its key.
///
/// ```swift
/// await issuing.acquire(user.id)
/// defer { issuing.release(user.id) }
/// // check, then `await sink.append(...)`, then apply: no other turn of this key interleaves
/// ```
public final class TurnLock<Key: Hashable> {
  /// Keys whose turn is taken, with the callers waiting for it.
  private var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]

  public init() {}

  /// Waits for, then takes, the turn of `key`.
  public func acquire(_ key: Key, isolation: isolated (any Actor)? = #isolation) async {
    if waiters[key] == nil {
      waiters[key] = []
      return
    }
    await withCheckedContinuation { waiters[key]!.append($0) }
  }

  /// Gives the turn of `key` back: to its next waiter, if any.
  public func release(_ key: Key) {
    guard var queue = waiters[key], !queue.isEmpty else {
      waiters[key] = nil
      return
    }
    let next = queue.removeFirst()
    waiters[key] = queue
    next.resume()
  }
}
