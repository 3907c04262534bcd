import Dispatch
import Primitives

/// Runs `operation` as a task and blocks the calling thread until it finishes.
///
/// For the C API only: its callers are plain C threads (a host's main thread or loop thread),
/// never threads of Swift's cooperative pool, so blocking one cannot starve the task it waits for.
func blockingAwait<Value: Sendable>(
  _ operation: @escaping @Sendable () async throws -> Value
) throws -> Value {
  let outcome = Outcome<Value>()
  let done = DispatchSemaphore(value: 0)
  Task {
    let result: Result<Value, any Error>
    do {
      result = .success(try await operation())
    } catch {
      result = .failure(error)
    }
    outcome.result.withLock { $0 = result }
    done.signal()
  }
  done.wait()
  return try outcome.result.withLock { $0! }.get()
}

/// Where the task leaves its result for the blocked thread.
private final class Outcome<Value: Sendable>: Sendable {
  let result = Locked<Result<Value, any Error>?>(nil)
}
