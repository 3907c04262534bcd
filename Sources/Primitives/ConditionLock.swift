#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pthread mutex with one condition variable (waits use the monotonic clock on Linux): for
/// threads that sleep until another thread changes state they share (the log's writer thread,
/// the hashing pool's workers, a loop's stop).
///
/// ```swift
/// let lock = ConditionLock()
/// lock.withLock { ready = true; lock.broadcast() }             // one thread
/// lock.lock(); while !ready { lock.wait() }; lock.unlock()     // another
/// ```
// @unchecked Sendable: its only state is a heap-allocated pthread mutex and condition, used
// only through pthread calls.
public final class ConditionLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let condition: UnsafeMutablePointer<pthread_cond_t>

  public init() {
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

  public func lock() { pthread_mutex_lock(mutex) }
  public func unlock() { pthread_mutex_unlock(mutex) }

  /// Runs `body` with the lock held.
  public func withLock<T>(_ body: () throws -> T) rethrows -> T {
    lock()
    defer { unlock() }
    return try body()
  }

  /// Wakes one waiter (lock held or not).
  public func signal() { pthread_cond_signal(condition) }

  /// Wakes every waiter.
  public func broadcast() { pthread_cond_broadcast(condition) }

  /// Waits (lock held) until woken.
  public func wait() { pthread_cond_wait(condition, mutex) }

  /// Waits (lock held) until woken or `deadline` (monotonic nanoseconds) passes.
  public func wait(untilMonotonicNanoseconds deadline: UInt64) {
    #if canImport(Glibc)
      var spec = timespec(
        tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
      pthread_cond_timedwait(condition, mutex, &spec)
    #else
      let now = MonotonicClock.nanoseconds()
      let delta = deadline > now ? deadline - now : 0
      var spec = timespec(
        tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
      pthread_cond_timedwait_relative_np(condition, mutex, &spec)
    #endif
  }
}
