import Primitives
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small pool of dedicated threads for CPU-heavy work (password hashing), so that a second of
/// PBKDF2 never runs on an event-loop thread nor on Swift's cooperative pool, where it would stall
/// every actor.
///
/// Jobs wait FIFO in a bounded queue: when `maxPending` jobs are already waiting, ``run(unless:_:)``
/// refuses at once with ``Refusal/full`` instead of queueing. A job whose caller no longer wants
/// it (`isAbandoned`, e.g. its HTTP client disconnected) is skipped just before it would run, and
/// dropped from the queue to make room when the queue is full; its caller gets
/// ``Refusal/abandoned``.
///
/// ```swift
/// let pool = HashingPool(threadCount: 2, maxPending: 64)
/// let hash = try await pool.run(unless: { client.isGone }) {
///   DjangoPBKDF2.encode(password: pw, salt: salt, iterations: n)
/// }
/// ```
public final class HashingPool: Sendable {
  /// Why a job did not run.
  public enum Refusal: Error, Sendable, Equatable {
    /// `maxPending` jobs were already waiting.
    case full
    /// The job's `isAbandoned` turned true before it ran.
    case abandoned
  }

  private let queue: JobQueue
  /// The number of worker threads.
  public let threadCount: Int
  /// The most jobs that may wait for a thread (jobs being run are not counted).
  public let maxPending: Int

  /// Starts `threadCount` worker threads (default: the number of online cores) behind a queue
  /// of at most `maxPending` waiting jobs.
  public init(threadCount: Int = HashingPool.onlineCores, maxPending: Int = 64) {
    self.threadCount = max(1, threadCount)
    self.maxPending = max(1, maxPending)
    self.queue = JobQueue(limit: self.maxPending)
    for _ in 0..<self.threadCount {
      DetachedThread.start { [queue] in
        HashingPool.work(queue)
      }
    }
  }

  /// The number of online processors.
  public static var onlineCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  deinit { queue.shutdown() }

  /// Jobs waiting for a thread now (the queue depth).
  public var pendingJobs: Int { queue.counters.pending.load(ordering: .relaxed) }
  /// Jobs refused so far because the queue was full.
  public var rejectedJobs: Int { queue.counters.rejected.load(ordering: .relaxed) }
  /// Jobs skipped so far because they were abandoned before they ran.
  public var abandonedJobs: Int { queue.counters.abandoned.load(ordering: .relaxed) }
  /// Jobs waiting now whose `isAbandoned` is already true (they will be skipped).
  public var abandonedWaitingJobs: Int { queue.abandonedWaiting() }

  /// Runs `work` on a pool thread and returns its result; throws ``Refusal/full`` at once when
  /// the queue is full, or ``Refusal/abandoned`` (without running `work`) when `isAbandoned` is
  /// true by the time a thread would start it. `isAbandoned` must be cheap: it is evaluated on
  /// pool threads, some times while the queue's lock is held.
  public func run<Result: Sendable>(
    unless isAbandoned: @escaping @Sendable () -> Bool = { false },
    _ work: @escaping @Sendable () -> Result
  ) async throws(Refusal) -> Result {
    if isAbandoned() {
      queue.counters.abandoned.add(1, ordering: .relaxed)
      throw .abandoned
    }
    let outcome = await withCheckedContinuation {
      (continuation: CheckedContinuation<Swift.Result<Result, Refusal>, Never>) in
      let job = Job(isAbandoned: isAbandoned) { skipped in
        continuation.resume(returning: skipped ? .failure(.abandoned) : .success(work()))
      }
      if !queue.push(job) { continuation.resume(returning: .failure(.full)) }
    }
    return try outcome.get()
  }

  /// A worker thread's life: runs jobs until the queue is shut down and drained.
  private static func work(_ queue: JobQueue) {
    lowerPriority()
    while let job = queue.pop() {
      let skipped = job.isAbandoned()
      if skipped { queue.counters.abandoned.add(1, ordering: .relaxed) }
      job.finish(skipped)
    }
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

/// One queued job: `finish(true)` skips the work (abandoned), `finish(false)` runs it.
private struct Job: Sendable {
  let isAbandoned: @Sendable () -> Bool
  let finish: @Sendable (Bool) -> Void
}

/// The pool's counters, readable without the queue's lock.
private final class JobCounters: Sendable {
  let pending = Atomic<Int>(0)
  let rejected = Atomic<Int>(0)
  let abandoned = Atomic<Int>(0)
}

/// A bounded FIFO of jobs behind a condition lock.
// @unchecked Sendable: `jobs`, `head` and `isShutDown` are only read or written with `lock` held.
private final class JobQueue: @unchecked Sendable {
  private let lock = ConditionLock()
  /// Waiting jobs from `head` on; taken slots are cleared (a job holds a password).
  private var jobs: [Job?] = []
  private var head = 0
  private var isShutDown = false
  /// The most jobs that may wait.
  let limit: Int
  let counters = JobCounters()

  init(limit: Int) { self.limit = limit }

  /// Queues `job`; false (queueing nothing) when `limit` jobs wait even after dropping the
  /// abandoned ones. Dropped jobs are finished as skipped, outside the lock.
  func push(_ job: Job) -> Bool {
    var dropped: [Job] = []
    lock.lock()
    if jobs.count - head >= limit { dropped = dropAbandonedLocked() }
    let admitted = jobs.count - head < limit
    if admitted {
      jobs.append(job)
      counters.pending.store(jobs.count - head, ordering: .relaxed)
      lock.signal()
    }
    lock.unlock()
    for job in dropped { job.finish(true) }
    counters.abandoned.add(dropped.count, ordering: .relaxed)
    if !admitted { counters.rejected.add(1, ordering: .relaxed) }
    return admitted
  }

  /// Removes the waiting jobs that are abandoned, keeping the others in order.
  private func dropAbandonedLocked() -> [Job] {
    var kept: [Job?] = []
    var dropped: [Job] = []
    kept.reserveCapacity(jobs.count - head)
    for case let job? in jobs[head...] {
      if job.isAbandoned() { dropped.append(job) } else { kept.append(job) }
    }
    if !dropped.isEmpty {
      jobs = kept
      head = 0
      counters.pending.store(jobs.count, ordering: .relaxed)
    }
    return dropped
  }

  /// The number of waiting jobs that are abandoned now (they will be skipped).
  func abandonedWaiting() -> Int {
    lock.withLock { jobs[head...].reduce(0) { $0 + ($1?.isAbandoned() == true ? 1 : 0) } }
  }

  /// The next job, waiting for one; nil once shut down and drained.
  func pop() -> Job? {
    lock.lock()
    defer { lock.unlock() }
    while head == jobs.count && !isShutDown { lock.wait() }
    guard head < jobs.count else { return nil }
    let job = jobs[head]
    jobs[head] = nil
    head += 1
    if head > 64 && head * 2 > jobs.count {
      jobs.removeFirst(head)
      head = 0
    }
    counters.pending.store(jobs.count - head, ordering: .relaxed)
    return job
  }

  func shutdown() {
    lock.withLock {
      isShutDown = true
      lock.broadcast()
    }
  }
}
