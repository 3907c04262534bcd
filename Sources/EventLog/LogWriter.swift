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

  let path: String
  let directory: String
  let policy: FsyncPolicy
  let lock = ConditionLock()

  // lock
  private var queue: [Append] = []
  private var failure: EventLogError?
  private var closing = false
  private var finished = false
  private var closeWaiters: [CheckedContinuation<Void, Never>] = []
  private var pendingSwap: Swap?
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

  /// Called on the writer thread after each write with (file size, compaction base).
  let onGrowth: @Sendable (UInt64, UInt64) -> Void

  init(
    fd: Int32, path: String, directory: String, policy: FsyncPolicy, lastSequence: UInt64,
    size: UInt64, compactionBase: UInt64, onGrowth: @escaping @Sendable (UInt64, UInt64) -> Void
  ) {
    self.fd = fd
    self.path = path
    self.directory = directory
    self.policy = policy
    self.nextSequence = lastSequence
    self.writtenSequence = lastSequence
    self.writtenEnd = size
    self.compactionBase = compactionBase
    self.onGrowth = onGrowth
    startThread { [self] in run() }
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

  /// The error every append now gets, if any.
  var currentFailure: EventLogError? { lock.withLock { failure } }

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
        if closing || monotonicNanoseconds() >= deadline {
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
    lock.unlock()
    if healthy { _ = SystemCalls.syncData(fd) }
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
    let timestamp = LogTimestamp.now()
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
    let startSize = lock.withLock { writtenEnd }
    if let code = SystemCalls.writeAll(fd, buffer) {
      // Cut any partial line so the file ends on a line boundary (best effort).
      _ = ftruncate(fd, off_t(startSize))
      fail("writing \(path) failed: \(SystemCalls.errorText(code))", acknowledgements)
      return
    }
    if policy == .always, let code = SystemCalls.syncData(fd) {
      fail("fdatasync of \(path) failed: \(SystemCalls.errorText(code))", acknowledgements)
      return
    }
    let (end, base) = lock.withLock {
      writtenEnd += UInt64(buffer.count)
      writtenSequence = nextSequence
      return (writtenEnd, compactionBase)
    }
    switch policy {
    case .always, .never:
      for (continuation, sequence) in acknowledgements { continuation.resume(returning: sequence) }
    case .batch:
      unsynced.append(contentsOf: acknowledgements)
    }
    onGrowth(end, base)
  }

  private func syncUnsynced() {
    lastSync = monotonicNanoseconds()
    if let code = SystemCalls.syncData(fd) {
      fail("fdatasync of \(path) failed: \(SystemCalls.errorText(code))", [])
      return
    }
    let acknowledgements = unsynced
    unsynced = []
    for (continuation, sequence) in acknowledgements { continuation.resume(returning: sequence) }
  }

  /// Stops all writes for good: every waiting and future append gets the error. Never retries.
  private func fail(
    _ reason: String, _ acknowledgements: [(CheckedContinuation<UInt64, any Error>, UInt64)]
  ) {
    let error = EventLogError.writesStopped(reason: reason)
    let queued = lock.withLock {
      if failure == nil { failure = error }
      let queued = queue
      queue = []
      return queued
    }
    let waiting = unsynced + acknowledgements
    unsynced = []
    for (continuation, _) in waiting { continuation.resume(throwing: error) }
    for append in queued { append.continuation.resume(throwing: error) }
  }

  private func abandon(_ swap: Swap, _ error: EventLogError) {
    SystemCalls.closeFile(swap.temporaryFD)
    unlink(swap.temporaryPath)
    swap.completion(error)
  }

  private func perform(_ swap: Swap) {
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
    do throws(EventLogError) {
      try SystemCalls.syncDirectory(directory)
    } catch {
      fail("syncing directory \(directory) after compaction failed: \(error)", [])
      swap.completion(error)
      return
    }
    swap.hook?(.directorySynced)
    // Lines written under `.batch` are now durable: the new file was synced.
    if !unsynced.isEmpty {
      let acknowledgements = unsynced
      unsynced = []
      for (continuation, sequence) in acknowledgements { continuation.resume(returning: sequence) }
    }
    swap.completion(nil)
  }
}
