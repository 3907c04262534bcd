import Foundation

/// Runs blocking client work on dedicated threads, so that blocking sockets never occupy the
/// Swift concurrency pool the server's own tasks need.
public enum ClientThreads {
  /// Runs `work(index)` on `count` new threads and returns when all are done, rethrowing the
  /// first error.
  public static func run(
    _ count: Int, _ work: @escaping @Sendable (Int) throws -> Void
  ) async throws {
    let errors = ErrorBox()
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      let group = DispatchGroup()
      for index in 0..<count {
        group.enter()
        let thread = Thread {
          do { try work(index) } catch { errors.record(error) }
          group.leave()
        }
        thread.start()
      }
      group.notify(queue: .global()) { done.resume() }
    }
    if let error = errors.first { throw error }
  }

  /// Runs one blocking closure on a new thread and returns its result.
  public static func one<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T
  {
    let box = ResultBox<T>()
    try await run(1) { _ in box.set(try work()) }
    return box.value!
  }
}

// Guarded by its lock; written from client threads, read after they finished.
private final class ErrorBox: @unchecked Sendable {
  private let lock = NSLock()
  private var errors: [any Error] = []
  func record(_ error: any Error) { lock.withLock { errors.append(error) } }
  var first: (any Error)? { lock.withLock { errors.first } }
}

// Guarded by its lock; written by one client thread, read after it finished.
private final class ResultBox<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: T?
  func set(_ value: T) { lock.withLock { stored = value } }
  var value: T? { lock.withLock { stored } }
}
