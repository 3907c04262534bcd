import JSON
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A durable, append-only JSON-lines log of `Event`s in one data directory.
///
/// ```swift
/// let log = try EventLog<ShopEvent>.open(directory: "data", options: .init()) { record in
///   state.apply(record.event)
/// }
/// let sequence = try await log.append([.productCreated(id: 1, name: "Mug")])
/// try await log.close()
/// ```
///
/// The directory holds `events.jsonl` (see the line format in `LogLineFormat`) and
/// `eventlog.lock`. What the log creates is private to its user whatever the umask: the
/// directory 0700 (its parent synced), the files 0600; existing ones keep their modes. Lines are written by a dedicated thread; line order, sequence order and
/// acknowledgement order are the same.
public final class EventLog<Event: LogEvent>: Sendable {
  /// The log file's name inside the data directory.
  public static var fileName: String { "events.jsonl" }

  /// The data directory.
  public let directory: String
  /// The log file's path.
  public let path: String
  let options: EventLogOptions<Event>
  let writer: LogWriter
  let directoryLock: DirectoryLock
  let compaction = Locked(CompactionState())
  let closeState = Locked(CloseState.open)
  let metrics: LogMetrics?

  enum CloseState {
    case open
    case closing
    case closed
  }

  /// Creates the directory if missing (error if parent missing/read-only, clearly worded), takes
  /// the flock (error text: "data directory <dir> is in use by process <pid>"), replays every
  /// record in order. A torn final line is cut off and reported through `warning`.
  ///
  /// `locked` runs once the lock is held, before replay starts: what must belong to the
  /// directory's owner only (a control socket, a listening port) can start there. If it throws,
  /// the lock is released and `open` throws that error.
  public static func open(
    directory: String, options: EventLogOptions<Event>, warning: (String) -> Void = { _ in },
    locked: () throws -> Void = {},
    replay: (LogRecord<Event>) throws -> Void
  ) throws -> EventLog<Event> {
    let lock = try DirectoryLock.acquire(directory: directory)
    do {
      try locked()
      return try EventLog(
        directory: directory, lock: lock, options: options, warning: warning,
        replay: replay)
    } catch {
      lock.release()
      throw error
    }
  }

  private init(
    directory: String, lock: DirectoryLock, options: EventLogOptions<Event>,
    warning: (String) -> Void, replay: (LogRecord<Event>) throws -> Void
  ) throws {
    let path = directory + "/" + EventLog.fileName
    let temporaryPath = path + EventLog.compactionSuffix
    if SystemCalls.fileExists(temporaryPath) {
      unlink(temporaryPath)
      warning("removed \(temporaryPath), left by a compaction that did not finish")
    }
    let fd = SystemCalls.openFile(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == EACCES || code == EROFS || code == EPERM {
        throw EventLogError.notWritable(path: directory, reason: SystemCalls.errorText(code))
      }
      throw SystemCalls.ioError("opening", path, code)
    }
    let metrics = options.metrics.map { LogMetrics(factory: $0) }
    do {
      let replayStart = MonotonicClock.nanoseconds()
      let scan = try EventLog.replay(fd: fd, path: path, warning: warning, replay: replay)
      if let metrics {
        metrics.replayDuration.record(Double(MonotonicClock.nanoseconds() - replayStart) / 1e9)
        metrics.replayedRecords.record(scan.snapshotRecords + scan.records)
      }
      var size = scan.goodEnd
      var base = scan.snapshotEnd
      if scan.header == nil {
        // A new or empty file (or one whose only line was a torn header): start it.
        var header: [UInt8] = []
        LogLineFormat.appendHeader(to: &header, snapshotSequence: 0, created: .now())
        if let code = SystemCalls.writeAll(fd, header) ?? SystemCalls.syncData(fd) {
          throw SystemCalls.ioError("writing the header of", path, code)
        }
        try SystemCalls.syncDirectory(directory)
        size = UInt64(header.count)
        base = size
      }
      let growth = CompactionTrigger(options: options)
      writer = LogWriter(
        fd: fd, path: path, directory: directory, policy: options.policy,
        lastSequence: scan.lastSequence, size: size, compactionBase: base,
        writesStopped: options.writesStopped, unrecoverableFailure: options.unrecoverableFailure,
        metrics: metrics, onGrowth: { size, base in growth.check(size: size, base: base) })
      self.directory = directory
      self.path = path
      self.options = options
      self.directoryLock = lock
      self.metrics = metrics
      growth.log.withLock { $0 = CompactionTrigger.WeakLog(self) }
    } catch {
      SystemCalls.closeFile(fd)
      throw error
    }
  }

  /// Replays `fd` into `replay`, cutting a torn final line (with a warning).
  private static func replay(
    fd: Int32, path: String, warning: (String) -> Void, replay: (LogRecord<Event>) throws -> Void
  ) throws -> LogFileScan {
    var scan = LogFileScan(path: path)
    var fast = FastDecoded<Event>()
    try scan.run(fd: fd, stopAtFirstProblem: true, preDecode: { fast.take($0, $1) }) {
      raw, line, offset in
      try replay(decode(raw, line: line, offset: offset, path: path, fast: &fast))
    }
    if let problem = scan.problems.first {
      guard problem.isTornTail else {
        throw EventLogError.corruptLine(
          file: path, line: problem.line, offset: problem.offset, reason: problem.reason)
      }
      try SystemCalls.truncate(fd, to: problem.offset, path)
      if let code = SystemCalls.syncData(fd) { throw SystemCalls.ioError("syncing", path, code) }
      warning(
        "\(path): cut off a torn final line at byte offset \(problem.offset) (line \(problem.line), "
          + "\(problem.length) bytes: \(problem.reason)); it was never acknowledged")
    }
    return scan
  }

  /// Rebuilds a typed record, naming the line when the application rejects it; a record the
  /// scan pre-decoded takes its event from `fast`.
  static func decode(
    _ raw: RawRecord, line: Int, offset: UInt64, path: String, fast: inout FastDecoded<Event>
  ) throws -> LogRecord<Event> {
    let event: Event
    do {
      if raw.preDecoded, let decoded = fast.event {
        event = decoded
        fast.event = nil
      } else {
        event = try Event(type: raw.type, data: raw.data)
      }
    } catch {
      throw EventLogError.undecodableEvent(
        file: path, line: line, offset: offset, type: raw.type, reason: "\(error)")
    }
    return LogRecord(
      sequence: raw.sequence, timestamp: raw.timestamp, event: event, isSnapshot: raw.isSnapshot)
  }

  /// The event `LogEvent.init(type:encodedData:)` made of the line being scanned.
  struct FastDecoded<E: LogEvent> {
    var event: E?

    /// A `LogLineFormat.PreDecode`: true when the event type decoded the bytes itself.
    mutating func take(_ type: String, _ data: UnsafeRawBufferPointer) -> Bool {
      event = E(type: type, encodedData: data)
      return event != nil
    }
  }

  /// Dropped without `close()`: the writer still writes and syncs what is queued, then stops;
  /// the directory lock is released now.
  deinit {
    if closeState.withLock({ $0 }) == .open {
      writer.requestStop()
      directoryLock.release()
    }
  }

  /// Why the log refuses writes (``EventLogError/writesStopped(reason:)``), or nil while it
  /// takes them. Cheap: one atomic load while healthy. Not set by ``close()``.
  public var writeFailure: EventLogError? { writer.currentFailure }

  /// The last sequence written and the file's size just past its line (a snapshot).
  public var written: (sequence: UInt64, bytes: UInt64) {
    let point = writer.writtenPoint()
    return (point.sequence, point.end)
  }

  /// Returns only when durable under the policy; returns the last assigned sequence.
  /// Group commit for `.always`. Throws ``EventLogError/writesStopped(reason:)`` after any
  /// failed write or sync (the file then holds none of the failed appends: it was cut back to
  /// the last acknowledged one), and ``EventLogError/closed`` after ``close()``.
  public func append(_ events: [Event]) async throws -> UInt64 {
    if events.isEmpty {
      if let failure = writer.currentFailure { throw failure }
      return writer.writtenPoint().sequence
    }
    let bodies = events.map { LogLineFormat.body(of: $0) }
    return try await withCheckedThrowingContinuation { continuation in
      writer.enqueue(bodies, continuation)
    }
  }

  /// Flushes, syncs and releases the directory lock. Waits for a running compaction.
  /// Idempotent: later calls return at once. Throws the earlier write failure, if there was one
  /// (the lock is released all the same).
  public func close() async throws {
    let first = closeState.withLock { state in
      if state != .open { return false }
      state = .closing
      return true
    }
    guard first else { return }
    try? await waitForCompaction()
    await writer.close()
    directoryLock.release()
    closeState.withLock { $0 = .closed }
    if let failure = writer.currentFailure { throw failure }
  }
}
