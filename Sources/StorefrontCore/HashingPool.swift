#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small pool of dedicated threads for CPU-heavy work (password hashing), so that a second of
/// PBKDF2 never runs on an event-loop thread nor on Swift's cooperative pool, where it would stall
/// every actor. Jobs queue up FIFO; callers suspend until their result is ready.
///
/// ```swift
/// let pool = HashingPool(threadCount: 2)
/// let hash = await pool.run { DjangoPBKDF2.encode(password: pw, salt: salt, iterations: n) }
/// ```
public final class HashingPool: Sendable {
  private let queue: JobQueue
  /// The number of worker threads.
  public let threadCount: Int

  /// Starts `threadCount` worker threads (default: the number of online cores).
  public init(threadCount: Int = HashingPool.onlineCores) {
    self.threadCount = max(1, threadCount)
    self.queue = JobQueue()
    for index in 0..<self.threadCount {
      Self.startThread(queue: queue, name: "storefront-hash-\(index)")
    }
  }

  /// The number of online processors.
  public static var onlineCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  deinit { queue.shutdown() }

  /// Runs `work` on a pool thread and returns its result.
  public func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
      queue.push { continuation.resume(returning: work()) }
    }
  }

  private static func startThread(queue: JobQueue, name: String) {
    let context = Unmanaged.passRetained(queue).toOpaque()
    var thread = pthread_t()
    #if canImport(Darwin)
      let result = pthread_create(
        &thread, nil,
        { raw in
          HashingPool.workerMain(raw)
          return nil
        }, context)
    #else
      let result = pthread_create(
        &thread, nil,
        { raw in
          HashingPool.workerMain(raw!)
          return nil
        }, context)
    #endif
    precondition(result == 0, "cannot start a hashing thread: error \(result)")
    pthread_detach(thread)
  }

  private static func workerMain(_ raw: UnsafeMutableRawPointer) {
    lowerPriority()
    let queue = Unmanaged<JobQueue>.fromOpaque(raw).takeRetainedValue()
    while let job = queue.pop() { job() }
  }
}

extension HashingPool {
  /// Lowers the calling thread's CPU priority to nice 10 (on Linux `setpriority` with id 0
  /// applies to the calling thread only): a login storm then yields the CPU to the event loops
  /// and actors, adding little latency to catalog reads. Measured in bench/run's login-storm:
  /// nice 0 gave a catalog p99 of 8-19 ms, nice 10 about 4 ms with logins still progressing,
  /// nice 19 starved the logins.
  static func lowerPriority() {
    #if os(Linux)
      _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    #endif
  }
}

/// A FIFO of jobs behind a pthread mutex and condition variable.
// @unchecked Sendable: `jobs` and `isShutDown` are only read or written while `mutex` is held,
// and the mutex/condition pointers are allocated once in init and freed only in deinit.
private final class JobQueue: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private let condition: UnsafeMutablePointer<pthread_cond_t>
  private var jobs: [@Sendable () -> Void] = []
  private var head = 0
  private var isShutDown = false

  init() {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
    condition = .allocate(capacity: 1)
    condition.initialize(to: pthread_cond_t())
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  func push(_ job: @escaping @Sendable () -> Void) {
    pthread_mutex_lock(mutex)
    jobs.append(job)
    pthread_cond_signal(condition)
    pthread_mutex_unlock(mutex)
  }

  /// The next job, waiting for one; nil once shut down and drained.
  func pop() -> (@Sendable () -> Void)? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while head == jobs.count && !isShutDown { pthread_cond_wait(condition, mutex) }
    guard head < jobs.count else { return nil }
    let job = jobs[head]
    head += 1
    if head > 64 && head * 2 > jobs.count {
      jobs.removeFirst(head)
      head = 0
    }
    return job
  }

  func shutdown() {
    pthread_mutex_lock(mutex)
    isShutDown = true
    pthread_cond_broadcast(condition)
    pthread_mutex_unlock(mutex)
  }
}
