import StorefrontCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A job that holds one thread of a `HashingPool` until released, so that requests queue up
/// behind it deterministically.
final class PoolBlocker: Sendable {
  private final class Flags: Sendable {
    let released = Atomic<Bool>(false)
    let started = Atomic<Bool>(false)
  }

  private let flags = Flags()
  private let task: Task<Void, any Error>

  /// Occupies one thread of `pool` (returns once the job runs).
  init(_ pool: HashingPool) async throws {
    let flags = flags
    task = Task {
      try await pool.run {
        flags.started.store(true, ordering: .releasing)
        while !flags.released.load(ordering: .acquiring) { usleep(500) }
      }
    }
    try await waitUntil("the blocker runs") { flags.started.load(ordering: .acquiring) }
  }

  /// Lets the job end and waits for it.
  func release() async throws {
    flags.released.store(true, ordering: .releasing)
    try await task.value
  }
}

/// A wait that did not end within its bound.
struct WaitTimedOut: Error, CustomStringConvertible {
  var description: String
}

/// Polls `condition` until it holds; throws after `seconds` (a generous bound for something
/// that happens in milliseconds, not a timing assertion).
func waitUntil(
  _ what: String, seconds: Int = 20, _ condition: @Sendable () -> Bool
) async throws {
  let deadline = ContinuousClock.now + .seconds(seconds)
  while !condition() {
    guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: what) }
    try await Task.sleep(for: .milliseconds(2))
  }
}
