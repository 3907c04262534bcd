import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a backup holds: a compacted log (header and snapshot lines) of the state at `sequence`.
public struct LogBackup: Sendable, Equatable {
  /// The last sequence the backup reflects; a log restored from it continues after it.
  public let sequence: UInt64
  /// Snapshot records written.
  public let records: Int
  /// Bytes written (header and records).
  public let bytes: UInt64

  public init(sequence: UInt64, records: Int, bytes: UInt64) {
    self.sequence = sequence
    self.records = records
    self.bytes = bytes
  }
}

extension EventLog {
  /// Streams a consistent, compacted copy of the log to `chunk` (about 1 MiB at a time) while
  /// appends go on: the state at the last acknowledged sequence when the call starts (under
  /// `.batch`, what is written is synced first), as a header and snapshot lines, the same bytes
  /// a compaction would start the log with. Runs on a thread of its own, which calls `chunk`;
  /// an error thrown by `chunk` ends the backup with that error.
  public func backup(chunk: @escaping @Sendable ([UInt8]) throws -> Void) async throws
    -> LogBackup
  {
    guard let compactor = options.compactor else { throw EventLogError.noCompactor }
    if closeState.withLock({ $0 }) != .open { throw EventLogError.closed }
    let point = try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<LogWriter.Point, any Error>) in
      writer.requestPoint { continuation.resume(with: $0) }
    }
    let path = self.path
    let metrics = self.metrics
    do {
      let backup = try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<LogBackup, any Error>) in
        DetachedThread.start {
          defer { SystemCalls.closeFile(point.fd) }
          continuation.resume(
            with: Result {
              try EventLog.writeBackup(
                point: point, path: path, compactor: compactor, chunk: chunk)
            })
        }
      }
      metrics?.backupsCompleted.increment()
      return backup
    } catch {
      metrics?.backupsFailed.increment()
      throw error
    }
  }

  /// Like ``backup(chunk:)``, into the file `destination` through a ``LogBackupFile`` (a
  /// temporary file beside it, synced, then renamed into place).
  public func backup(to destination: String) async throws -> LogBackup {
    let file = try LogBackupFile(destination: destination)
    do {
      let backup = try await self.backup { try file.append($0) }
      try file.finish()
      return backup
    } catch {
      file.abandon()
      throw error
    }
  }

  private static func writeBackup(
    point: LogWriter.Point, path: String, compactor: LogCompactor<Event>,
    chunk: ([UInt8]) throws -> Void
  ) throws -> LogBackup {
    let events = try compactor.run { feed in
      var scan = LogFileScan(path: path)
      var fast = FastDecoded<Event>()
      try scan.run(
        fd: point.fd, limit: point.end, stopAtFirstProblem: true,
        preDecode: { fast.take($0, $1) }
      ) { raw, line, offset in
        try feed(EventLog.decode(raw, line: line, offset: offset, path: path, fast: &fast))
      }
      if let problem = scan.problems.first {
        throw EventLogError.corruptLine(
          file: path, line: problem.line, offset: problem.offset, reason: problem.reason)
      }
    }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    var bytes: UInt64 = 0
    let now = Timestamp.now()
    LogLineFormat.appendHeader(to: &buffer, snapshotSequence: point.sequence, created: now)
    for event in events {
      LogLineFormat.appendRecord(
        to: &buffer, sequence: point.sequence, isSnapshot: true, timestamp: now,
        body: LogLineFormat.body(of: event))
      if buffer.count >= 1 << 20 {
        bytes += UInt64(buffer.count)
        try chunk(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    bytes += UInt64(buffer.count)
    try chunk(buffer)
    return LogBackup(sequence: point.sequence, records: events.count, bytes: bytes)
  }
}

/// A backup file being written: bytes go to `<destination>.partial` (created 0600, replacing
/// a leftover one), which ``finish()`` syncs, renames over `destination` and makes durable
/// (syncing the directory). Until then `destination` is untouched.
public final class LogBackupFile: Sendable {
  /// The file written once ``finish()`` succeeds.
  public let destination: String
  let temporaryPath: String
  let fd: Int32

  /// Creates the temporary file beside `destination` (whose directory must exist).
  public init(destination: String) throws(EventLogError) {
    self.destination = destination
    temporaryPath = destination + ".partial"
    unlink(temporaryPath)
    fd = SystemCalls.openFile(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
    if fd < 0 { throw SystemCalls.ioError("creating", temporaryPath) }
  }

  /// Appends `bytes`.
  public func append(_ bytes: [UInt8]) throws(EventLogError) {
    if let code = SystemCalls.writeAll(fd, bytes) {
      throw SystemCalls.ioError("writing", temporaryPath, code)
    }
  }

  /// Syncs the file, renames it to ``destination`` and syncs its directory.
  public func finish() throws(EventLogError) {
    defer { SystemCalls.closeFile(fd) }
    if let code = SystemCalls.syncData(fd) {
      unlink(temporaryPath)
      throw SystemCalls.ioError("syncing", temporaryPath, code)
    }
    if rename(temporaryPath, destination) != 0 {
      let code = errno
      unlink(temporaryPath)
      throw SystemCalls.ioError("renaming \(temporaryPath) to", destination, code)
    }
    try SystemCalls.syncDirectory(Self.parent(of: destination))
  }

  /// Closes and removes the temporary file; ``destination`` stays as it was.
  public func abandon() {
    SystemCalls.closeFile(fd)
    unlink(temporaryPath)
  }

  /// The directory part of `path` (`.` when it has none).
  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let parent = String(path[..<slash])
    return parent.isEmpty ? "/" : parent
  }
}
