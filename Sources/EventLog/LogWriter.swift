import Primitives
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Owns the log file and its writer thread; knows nothing of event types.
///
/// Appenders put pre-encoded bodies on `queue` and wait on a continuation. The writer thread
/// takes everything queued, assigns sequence numbers in queue order, writes all lines with one
/// `write`, syncs once (group commit) and resumes the continuations in sequence order.
///
/// After a failed write or sync the writer cuts the file back to what was acknowledged (under
/// `.batch`, the end of the last synced batch), syncs it, and stops for good: every waiting and
/// later append fails, so the file holds exactly what callers were told is written.
// Safe: fields marked "lock" are only accessed with `lock` held, "writer" ones only on its thread.
final class LogWriter: @unchecked Sendable {
  struct Append {
    let bodies: [[UInt8]]
    let continuation: CheckedContinuation<UInt64, any Error>
  }

  /// The final step of a compaction, run on the writer thread between batches.
  struct Swap {
    let temporaryFD: Int32
    let temporaryPath: String
    /// Bytes of the current file already copied into the temporary file.
    let copiedUpTo: UInt64
    /// Size of the temporary file before the tail copy.
    let temporarySize: UInt64
    /// Offset just past the snapshot in the temporary file.
    let snapshotEnd: UInt64
    let hook: (@Sendable (CompactionStep) -> Void)?
    let completion: @Sendable (EventLogError?) -> Void
  }

  /// A consistent point of the log for a backup, taken on the writer thread between batches:
  /// a descriptor of the file as it is then (a `dup`, the caller closes it) and the last
  /// acknowledged sequence with the size just past its line. Every byte before `end` is an
  /// acknowledged, synced line (under `.never`, acknowledged), and stays so in that file.
  struct Point: Sendable {
    let fd: Int32
    let sequence: UInt64
    let end: UInt64
  }

  let path: String
  let directory: String
  let policy: FsyncPolicy
  let lock = ConditionLock()
  let metrics: LogMetrics?

  /// Receives the sentence naming the error when writes stop (see ``EventLogOptions``).
  let writesStopped: @Sendable (String) -> Void
  /// Called instead when the file could not be cut back to what was acknowledged.
  let unrecoverableFailure: @Sendable (String) -> Void
  /// Set once `failure` is; lets `currentFailure` skip the lock while the log is healthy.
  private let stopped = Atomic<Bool>(false)

  // lock
  private var queue: [Append] = []
  private var failure: EventLogError?
  private var closing = false
  private var finished = false
  private var closeWaiters: [CheckedContinuation<Void, Never>] = []
  private var pendingSwap: Swap?
  private var pointRequests: [@Sendable (Result<Point, EventLogError>) -> Void] = []
  /// Size of the file counting only complete, written lines.
  private(set) var writtenEnd: UInt64
  private(set) var writtenSequence: UInt64
  /// File size right after the last compaction (header and snapshot).
  private(set) var compactionBase: UInt64

  // writer
  private var fd: Int32
  private var nextSequence: UInt64
  private var unsynced: [(CheckedContinuation<UInt64, any Error>, UInt64)] = []
  private var lastSync: UInt64 = 0
  private var buffer: [UInt8] = []
  /// File size and last sequence through which every line was acknowledged (or is being
  /// acknowledged): where a failure cuts the file back to.
  private var acknowledgedEnd: UInt64
  private var acknowledgedSequence: UInt64

  /// Called on the writer thread after each write with (file size, compaction base).
  let onGrowth: @Sendable (UInt64, UInt64) -> Void

  init(
    fd: Int32, path: String, directory: String, policy: FsyncPolicy, lastSequence: UInt64,
    size: UInt64, compactionBase: UInt64,
    writesStopped: @escaping @Sendable (String) -> Void,
    unrecoverableFailure: @escaping @Sendable (String) -> Void,
    metrics: LogMetrics?,
    onGrowth: @escaping @Sendable (UInt64, UInt64) -> Void
  ) {
    self.metrics = metrics
    self.fd = fd
    self.path = path
    self.directory = directory
    self.policy = policy
    self.nextSequence = lastSequence
    self.writtenSequence = lastSequence
    self.writtenEnd = size
    self.acknowledgedEnd = size
    self.acknowledgedSequence = lastSequence
    self.compactionBase = compactionBase
    self.writesStopped = writesStopped
    self.unrecoverableFailure = unrecoverableFailure
    self.onGrowth = onGrowth
    DetachedThread.start { [self] in run() }
  }

  /// Queues bodies; the continuation is resumed with the last sequence once durable.
  func enqueue(_ bodies: [[UInt8]], _ continuation: CheckedContinuation<UInt64, any Error>) {
    lock.lock()
    if let failure {
      lock.unlock()
      continuation.resume(throwing: failure)
      return
    }
    if closing {
      lock.unlock()
      continuation.resume(throwing: EventLogError.closed)
      return
    }
    queue.append(Append(bodies: bodies, continuation: continuation))
    lock.broadcast()
    lock.unlock()
  }

  /// The last written sequence and the file size just after its line.
  func writtenPoint() -> (sequence: UInt64, end: UInt64) {
    lock.withLock { (writtenSequence, writtenEnd) }
  }

  /// The error every append now gets, if any. Cheap while healthy (one atomic load).
  var currentFailure: EventLogError? {
    guard stopped.load(ordering: .acquiring) else { return nil }
    return lock.withLock { failure }
  }

  /// Hands the writer a compaction's final step; `completion` runs on the writer thread.
  func requestSwap(_ swap: Swap) {
    lock.lock()
    if let refusal = failure ?? (closing ? .closed : nil) {
      lock.unlock()
      abandon(swap, refusal)
      return
    }
    pendingSwap = swap
    lock.broadcast()
    lock.unlock()
  }

  /// Asks the writer thread for a consistent ``Point`` (between batches; under `.batch` it
  /// first syncs what is written). `completion` runs on the writer thread.
  func requestPoint(_ completion: @escaping @Sendable (Result<Point, EventLogError>) -> Void) {
    lock.lock()
    if let refusal = failure ?? (closing ? .closed : nil) {
      lock.unlock()
      completion(.failure(refusal))
      return
    }
    pointRequests.append(completion)
    lock.broadcast()
    lock.unlock()
  }

  /// Writes and syncs what is queued, stops the thread and closes the file.
  func close() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      lock.lock()
      if finished {
        lock.unlock()
        continuation.resume()
        return
      }
      closing = true
      closeWaiters.append(continuation)
      lock.broadcast()
      lock.unlock()
    }
  }

  /// Asks the thread to stop without waiting (used when the log is dropped unclosed).
  func requestStop() {
    lock.withLock {
      closing = true
      lock.broadcast()
    }
  }

  // MARK: - Writer thread

  private var batchInterval: UInt64 {
    if case .batch(let milliseconds) = policy { return UInt64(max(0, milliseconds)) * 1_000_000 }
    return 0
  }

  private func run() {
    lock.lock()
    while true {
      if let swap = pendingSwap {
        pendingSwap = nil
        lock.unlock()
        perform(swap)
        lock.lock()
        continue
      }
      if !pointRequests.isEmpty {
        let requests = pointRequests
        pointRequests.removeAll()
        lock.unlock()
        let point = takePoint()
        for request in requests { request(point) }
        lock.lock()
        continue
      }
      if !queue.isEmpty {
        let batch = queue
        queue.removeAll(keepingCapacity: true)
        lock.unlock()
        write(batch)
        lock.lock()
        continue
      }
      if !unsynced.isEmpty {
        let deadline = lastSync + batchInterval
        if closing || MonotonicClock.nanoseconds() >= deadline {
          lock.unlock()
          syncUnsynced()
          lock.lock()
        } else {
          lock.wait(untilMonotonicNanoseconds: deadline)
        }
        continue
      }
      if closing { break }
      lock.wait()
    }
    let healthy = failure == nil
    let abandonedPoints = pointRequests
    pointRequests = []
    lock.unlock()
    for request in abandonedPoints { request(.failure(.closed)) }
    if healthy, let code = SystemCalls.syncData(fd) {
      stop("fdatasync of \(path) at close failed: \(SystemCalls.errorText(code))", [])
    }
    SystemCalls.closeFile(fd)
    lock.lock()
    finished = true
    let waiters = closeWaiters
    closeWaiters = []
    lock.unlock()
    for waiter in waiters { waiter.resume() }
  }

  private func write(_ batch: [Append]) {
    if let failure = currentFailure {
      for append in batch { append.continuation.resume(throwing: failure) }
      return
    }
    buffer.removeAll(keepingCapacity: true)
    let timestamp = Timestamp.now()
    var acknowledgements: [(CheckedContinuation<UInt64, any Error>, UInt64)] = []
    acknowledgements.reserveCapacity(batch.count)
    for append in batch {
      for body in append.bodies {
        nextSequence += 1
        LogLineFormat.appendRecord(
          to: &buffer, sequence: nextSequence, isSnapshot: false, timestamp: timestamp,
          body: body)
      }
      acknowledgements.append((append.continuation, nextSequence))
    }
    if let code = SystemCalls.writeAll(fd, buffer) {
      stop("writing \(path) failed: \(SystemCalls.errorText(code))", acknowledgements)
      return
    }
    if policy == .always, let code = LogMetrics.timed(metrics, { SystemCalls.syncData(fd) }) {
      stop("fdatasync of \(path) failed: \(SystemCalls.errorText(code))", acknowledgements)
      return
    }
    if let metrics {
      let records = batch.reduce(0) { $0 + $1.bodies.count }
      metrics.appendedEvents.increment(by: records)
      metrics.batchEvents.record(records)
      metrics.writtenBytes.increment(by: buffer.count)
    }
    let (end, base) = lock.withLock {
      writtenEnd += UInt64(buffer.count)
      writtenSequence = nextSequence
      return (writtenEnd, compactionBase)
    }
    switch policy {
    case .always, .never:
      acknowledgedEnd = end
      acknowledgedSequence = nextSequence
      for (continuation, sequence) in acknowledgements { continuation.resume(returning: sequence) }
    case .batch:
      unsynced.append(contentsOf: acknowledgements)
    }
    onGrowth(end, base)
  }

  private func syncUnsynced() {
    lastSync = MonotonicClock.nanoseconds()
    let (sequence, end) = writtenPoint()
    if let code = LogMetrics.timed(metrics, { SystemCalls.syncData(fd) }) {
      stop("fdatasync of \(path) failed: \(SystemCalls.errorText(code))", [])
      return
    }
    acknowledgedEnd = end
    acknowledgedSequence = sequence
    let acknowledgements = unsynced
    unsynced = []
    for (continuation, last) in acknowledgements { continuation.resume(returning: last) }
  }

  /// Stops all writes for good after `reason` (a failed write or sync; never retried): cuts the
  /// file back to `acknowledgedEnd` and syncs it, so it holds exactly what was acknowledged;
  /// then every waiting and future append gets the error. If the cut or its sync fails too,
  /// `unrecoverableFailure` runs first (by default it ends the process, and the waiting
  /// appends are then never answered: their lines may be in the file).
  private func stop(
    _ reason: String, _ acknowledgements: [(CheckedContinuation<UInt64, any Error>, UInt64)]
  ) {
    let end = acknowledgedEnd
    let sequence = acknowledgedSequence
    var cleanupFailure: String?
    if ftruncate(fd, off_t(end)) != 0 {
      let text = SystemCalls.errorText(errno)
      cleanupFailure = "truncating \(path) back to byte \(end) failed: \(text)"
    } else if let code = SystemCalls.syncData(fd) {
      let text = SystemCalls.errorText(code)
      cleanupFailure = "fdatasync of \(path) after truncating it to byte \(end) failed: \(text)"
    }
    if let cleanupFailure {
      // Before anyone can learn that writes stopped: the default does not return.
      unrecoverableFailure(
        "event log writes stopped: \(reason); then \(cleanupFailure), so the file may hold "
          + "lines that were never acknowledged. The process must stop; on restart, replay "
          + "decides what the log holds.")
    }
    let error = EventLogError.writesStopped(
      reason: cleanupFailure.map { "\(reason); then \($0)" } ?? reason)
    let queued = lock.withLock {
      if failure == nil { failure = error }
      writtenEnd = end
      writtenSequence = sequence
      let queued = queue
      queue = []
      return queued
    }
    stopped.store(true, ordering: .releasing)
    metrics?.writesStopped.record(1)
    nextSequence = sequence
    if cleanupFailure == nil {
      writesStopped(
        "event log writes stopped: \(reason). \(path) was cut back to byte \(end) (sequence "
          + "\(sequence)), the last acknowledged write; every later append is refused "
          + "until a restart once the cause is fixed.")
    }
    let waiting = unsynced + acknowledgements
    unsynced = []
    for (continuation, _) in waiting { continuation.resume(throwing: error) }
    for append in queued { append.continuation.resume(throwing: error) }
  }

  /// On the writer thread: syncs what `.batch` has not yet, then the point to back up from.
  private func takePoint() -> Result<Point, EventLogError> {
    if currentFailure == nil && !unsynced.isEmpty { syncUnsynced() }
    if let failure = currentFailure { return .failure(failure) }
    let copy = dup(fd)
    if copy < 0 { return .failure(SystemCalls.ioError("duplicating the descriptor of", path)) }
    _ = fcntl(copy, F_SETFD, FD_CLOEXEC)
    return .success(Point(fd: copy, sequence: acknowledgedSequence, end: acknowledgedEnd))
  }

  private func abandon(_ swap: Swap, _ error: EventLogError) {
    SystemCalls.closeFile(swap.temporaryFD)
    unlink(swap.temporaryPath)
    swap.completion(error)
  }

  private func perform(_ swap: Swap) {
    // Sync what `.batch` has not yet, so that both files hold only acknowledged lines from
    // here on: whichever of them a failure below leaves as the log is right.
    if currentFailure == nil && !unsynced.isEmpty { syncUnsynced() }
    if let failure = currentFailure {
      abandon(swap, failure)
      return
    }
    let end = lock.withLock { writtenEnd }
    do throws(EventLogError) {
      try SystemCalls.copyRange(
        from: fd, path, range: swap.copiedUpTo..<end, to: swap.temporaryFD, swap.temporaryPath)
      if let code = SystemCalls.syncData(swap.temporaryFD) {
        throw SystemCalls.ioError("syncing", swap.temporaryPath, code)
      }
      swap.hook?(.tailCopiedAndSynced)
      if rename(swap.temporaryPath, path) != 0 {
        throw SystemCalls.ioError("renaming \(swap.temporaryPath) over", path)
      }
    } catch {
      abandon(swap, error)
      return
    }
    // From here the new file is the log: switch to it whatever happens next.
    swap.hook?(.renamed)
    SystemCalls.closeFile(fd)
    fd = swap.temporaryFD
    let newSize = swap.temporarySize + (end - swap.copiedUpTo)
    lock.withLock {
      writtenEnd = newSize
      compactionBase = swap.snapshotEnd
    }
    acknowledgedEnd = newSize
    do throws(EventLogError) {
      try SystemCalls.syncDirectory(directory)
    } catch {
      stop("syncing directory \(directory) after compaction failed: \(error)", [])
      swap.completion(error)
      return
    }
    swap.hook?(.directorySynced)
    swap.completion(nil)
  }
}
