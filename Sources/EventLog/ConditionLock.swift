#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pthread mutex with one condition variable (waits use the monotonic clock on Linux).
// Safe: its only state is a heap-allocated pthread mutex and condition, used via pthread calls.
final class ConditionLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let condition: UnsafeMutablePointer<pthread_cond_t>

  init() {
    mutex = .allocate(capacity: 1)
    condition = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    #if canImport(Glibc)
      pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    #endif
    pthread_cond_init(condition, &attributes)
    pthread_condattr_destroy(&attributes)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }

  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    lock()
    defer { unlock() }
    return try body()
  }

  /// Wakes every waiter.
  func broadcast() { pthread_cond_broadcast(condition) }

  /// Waits (lock held) until woken.
  func wait() { pthread_cond_wait(condition, mutex) }

  /// Waits (lock held) until woken or `deadline` (monotonic nanoseconds) passes.
  func wait(untilMonotonicNanoseconds deadline: UInt64) {
    #if canImport(Glibc)
      var spec = timespec(
        tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
      pthread_cond_timedwait(condition, mutex, &spec)
    #else
      let now = monotonicNanoseconds()
      let delta = deadline > now ? deadline - now : 0
      var spec = timespec(
        tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
      pthread_cond_timedwait_relative_np(condition, mutex, &spec)
    #endif
  }
}

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
  var spec = timespec()
  clock_gettime(CLOCK_MONOTONIC, &spec)
  return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Starts a detached OS thread running `body` (not a Swift concurrency pool thread).
func startThread(_ body: @escaping @Sendable () -> Void) {
  let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
  var thread = pthread_t()
  let result = pthread_create(
    &thread, nil,
    { context in
      let box = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
      box.body()
      return nil
    }, context)
  precondition(result == 0, "pthread_create failed: \(result)")
  pthread_detach(thread)
}

/// The closure a new thread runs, boxed to cross `pthread_create`. (A file-level class: a local
/// one crashes the compiler under cross-module optimization, "Global is external, but doesn't
/// have external or weak linkage".)
private final class ThreadBody {
  let body: @Sendable () -> Void
  init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
