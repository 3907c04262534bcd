import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether a compaction runs, and who waits for it.
struct CompactionState {
  var running = false
  var cancelled = false
  /// After a failed automatic compaction, the next one waits until the file reaches this size.
  var automaticRetryAbove: UInt64 = 0
  var waiters: [CheckedContinuation<Void, any Error>] = []
}

extension EventLog {
  static var compactionSuffix: String { ".compacting" }

  /// Rewrites the log as a snapshot plus the records appended since, without blocking appends
  /// except for the final copy-the-tail-and-rename step.
  ///
  /// On a background thread: replays the file up to the last written sequence N into a fresh
  /// state (the compactor's), writes header + snapshot lines (all `"seq":N`, `"snapshot":true`)
  /// + every line after N to `events.jsonl.compacting`, syncs it; then on the writer thread
  /// copies the last lines, syncs, renames it over `events.jsonl` and syncs the directory.
  /// If a compaction is already running, waits for that one instead.
  public func compact() async throws {
    guard options.compactor != nil else { throw EventLogError.noCompactor }
    if closeState.withLock({ $0 }) != .open { throw EventLogError.closed }
    try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<Void, any Error>) in
      startCompaction(waiter: continuation)
    }
  }

  /// Waits for a running compaction (asking it to stop early).
  func waitForCompaction() async throws {
    try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<Void, any Error>) in
      let running = compaction.withLock { state in
        guard state.running else { return false }
        state.cancelled = true
        state.waiters.append(continuation)
        return true
      }
      if !running { continuation.resume() }
    }
  }

  /// Starts a compaction on its own thread unless one is running.
  func startCompaction(waiter: CheckedContinuation<Void, any Error>?) {
    let start = compaction.withLock { state in
      if closeState.withLock({ $0 }) != .open {
        waiter?.resume(throwing: EventLogError.closed)
        return false
      }
      if let waiter { state.waiters.append(waiter) }
      if state.running { return false }
      state.running = true
      state.cancelled = false
      return true
    }
    guard start else { return }
    DetachedThread.start { [self] in
      var failure: EventLogError? = nil
      do {
        try runCompaction()
      } catch let error as EventLogError {
        switch error {
        case .writesStopped, .closed, .compactionFailed: failure = error
        default: failure = .compactionFailed(reason: error.description)
        }
      } catch {
        failure = .compactionFailed(reason: "\(error)")
      }
      // Writes stopping meanwhile (the file may have been cut under the scan) is the cause.
      if failure != nil, let stopped = writer.currentFailure { failure = stopped }
      let size = writer.writtenPoint().end
      let waiters = compaction.withLock { state in
        state.running = false
        if failure != nil {
          state.automaticRetryAbove = UInt64(Double(size) * max(options.compactionFactor, 1.1))
        }
        defer { state.waiters = [] }
        return state.waiters
      }
      if failure == nil {
        metrics?.compactionsCompleted.increment()
      } else {
        metrics?.compactionsFailed.increment()
      }
      if let failure {
        // A stop of writes was already reported through `writesStopped`.
        if waiters.isEmpty && !failure.refusesWrites {
          options.backgroundWarning("automatic compaction: \(failure)")
        }
        for waiter in waiters { waiter.resume(throwing: failure) }
      } else {
        for waiter in waiters { waiter.resume() }
      }
    }
  }

  private func runCompaction() throws {
    guard let compactor = options.compactor else { throw EventLogError.noCompactor }
    let hook = options.compactionStepHook
    let (through, throughEnd) = writer.writtenPoint()
    let readFD = SystemCalls.openFile(path, O_RDONLY | O_CLOEXEC)
    if readFD < 0 { throw SystemCalls.ioError("opening", path) }
    defer { SystemCalls.closeFile(readFD) }

    let events = try compactor.run { feed in
      var scan = LogFileScan(path: path)
      var count = 0
      var fast = FastDecoded<Event>()
      try scan.run(
        fd: readFD, limit: throughEnd, stopAtFirstProblem: true,
        preDecode: { fast.take($0, $1) }
      ) { raw, line, offset in
        count += 1
        if count & 0xFFFF == 0, compaction.withLock({ $0.cancelled }) {
          throw EventLogError.compactionFailed(reason: "the log is closing")
        }
        try feed(EventLog.decode(raw, line: line, offset: offset, path: path, fast: &fast))
      }
      if let problem = scan.problems.first {
        throw EventLogError.corruptLine(
          file: path, line: problem.line, offset: problem.offset, reason: problem.reason)
      }
    }

    let temporaryPath = path + EventLog.compactionSuffix
    unlink(temporaryPath)
    let temporaryFD = SystemCalls.openFile(
      temporaryPath, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC)
    if temporaryFD < 0 { throw SystemCalls.ioError("creating", temporaryPath) }
    var handedOver = false
    defer {
      if !handedOver {
        SystemCalls.closeFile(temporaryFD)
        unlink(temporaryPath)
      }
    }
    var size: UInt64 = 0
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    func flush() throws {
      if let code = SystemCalls.writeAll(temporaryFD, buffer) {
        throw SystemCalls.ioError("writing", temporaryPath, code)
      }
      size += UInt64(buffer.count)
      buffer.removeAll(keepingCapacity: true)
    }
    let now = Timestamp.now()
    LogLineFormat.appendHeader(to: &buffer, snapshotSequence: through, created: now)
    for event in events {
      LogLineFormat.appendRecord(
        to: &buffer, sequence: through, isSnapshot: true, timestamp: now,
        body: LogLineFormat.body(of: event))
      if buffer.count >= 1 << 20 { try flush() }
    }
    try flush()
    let snapshotEnd = size
    // Copy what was appended meanwhile while appends continue; the writer copies the rest.
    var copied = throughEnd
    for _ in 0..<4 {
      let end = writer.writtenPoint().end
      if end - copied < 64 << 10 { break }
      try SystemCalls.copyRange(
        from: readFD, path, range: copied..<end, to: temporaryFD, temporaryPath)
      size += end - copied
      copied = end
    }
    if let code = SystemCalls.syncData(temporaryFD) {
      throw SystemCalls.ioError("syncing", temporaryPath, code)
    }
    hook?(.snapshotWritten)

    let outcome = OneShot<EventLogError?>()
    handedOver = true
    writer.requestSwap(
      LogWriter.Swap(
        temporaryFD: temporaryFD, temporaryPath: temporaryPath, copiedUpTo: copied,
        temporarySize: size, snapshotEnd: snapshotEnd, hook: hook,
        completion: { outcome.set($0) }))
    if let error = outcome.wait() { throw error }
  }
}
