import JSON

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Offline tools behind `storefront log verify` and `storefront log repair`; they read the
/// file without knowing the application's event type.
public enum EventLogTools {
  /// Checks every line of `<directory>/events.jsonl` and summarises it. Reads only; works while
  /// a server owns the directory (a line being written may show up as a torn tail).
  public static func verify(directory: String) throws -> EventLogReport {
    try verify(file: directory + "/" + EventLog<NeverEvent>.fileName)
  }

  /// ``verify(directory:)`` of the log file at `path`, reported under the name `name`.
  static func verify(file path: String, name: String? = nil) throws -> EventLogReport {
    let fd = SystemCalls.openFile(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw SystemCalls.ioError("opening", path) }
    defer { SystemCalls.closeFile(fd) }
    let size = try SystemCalls.fileSize(fd, path)
    var counts: [String: Int] = [:]
    var scan = LogFileScan(path: path)
    try scan.run(fd: fd, stopAtFirstProblem: false) { record, _, _ in
      counts[record.type, default: 0] += 1
    }
    return EventLogReport(
      file: name ?? path, fileSize: size, header: scan.header, lineCount: scan.goodLines,
      recordCount: scan.records, snapshotRecordCount: scan.snapshotRecords,
      lastSequence: scan.lastSequence,
      countsByType: counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
      problems: scan.problems.map {
        EventLogReport.Problem(
          line: $0.line, offset: $0.offset, message: $0.reason, isTornTail: $0.isTornTail)
      },
      repairOffset: scan.problems.first.map { $0.offset })
  }

  /// Truncates the log to the last good line before its first problem (the CLI confirms
  /// first, showing `verify`'s `repairOffset`). Takes the directory lock, so it refuses to run
  /// against a live server.
  public static func repair(directory: String) throws -> EventLogRepair {
    guard SystemCalls.isDirectory(directory) == true else {
      throw EventLogError.io(
        operation: "repairing", path: directory, reason: "no such data directory")
    }
    let lock = try DirectoryLock.acquire(directory: directory)
    defer { lock.release() }
    let report = try verify(directory: directory)
    let path = report.file
    guard let cut = report.repairOffset else {
      return EventLogRepair(
        file: path, cutAtOffset: nil, removedBytes: 0, removedLines: 0,
        firstRemovedLine: nil, lastKeptSequence: report.lastSequence)
    }
    let fd = SystemCalls.openFile(path, O_RDWR | O_CLOEXEC)
    if fd < 0 { throw SystemCalls.ioError("opening", path) }
    defer { SystemCalls.closeFile(fd) }
    let removedLines = try countLines(fd: fd, path: path, from: cut, to: report.fileSize)
    try SystemCalls.truncate(fd, to: cut, path)
    if let code = SystemCalls.syncData(fd) { throw SystemCalls.ioError("syncing", path, code) }
    let firstLine = report.problems.first?.line
    // The header counts as line 1 when present; records kept end right before the cut.
    let kept = try verify(directory: directory)
    return EventLogRepair(
      file: path, cutAtOffset: cut, removedBytes: report.fileSize - cut,
      removedLines: removedLines, firstRemovedLine: firstLine,
      lastKeptSequence: kept.lastSequence)
  }

  private static func countLines(
    fd: Int32, path: String, from start: UInt64, to end: UInt64
  ) throws -> Int {
    var count = 0
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    var offset = start
    var sawPartial = false
    while offset < end {
      let got = try SystemCalls.readAt(
        fd, buffer.baseAddress!, Int(min(UInt64(buffer.count), end - offset)), offset, path)
      if got == 0 { break }
      for byte in buffer[0..<got] where byte == 0x0A { count += 1 }
      sawPartial = buffer[got - 1] != 0x0A
      offset += UInt64(got)
    }
    return count + (sawPartial ? 1 : 0)
  }
}

/// What `verify` found.
public struct EventLogReport: Sendable, CustomStringConvertible {
  /// A line that breaks the format or the rules.
  public struct Problem: Sendable, Equatable {
    public let line: Int
    public let offset: UInt64
    public let message: String
    /// The last line, cut short by an interrupted write (startup removes it by itself).
    public let isTornTail: Bool
  }

  public let file: String
  public let fileSize: UInt64
  /// Format version from the header (nil when the header is missing or broken).
  public let formatVersion: Int?
  /// The sequence the snapshot at the start of the file reflects (0: never compacted).
  public let snapshotSequence: UInt64
  /// Good lines before the first problem, header included.
  public let lineCount: Int
  /// Ordinary (non-snapshot) records, over the whole file.
  public let recordCount: Int
  public let snapshotRecordCount: Int
  public let lastSequence: UInt64
  /// Record counts by event type (snapshot records included), sorted by type.
  public let countsByType: [(type: String, count: Int)]
  public let problems: [Problem]
  /// Where `repair` would cut the file (the first problem line's offset); nil when healthy.
  public let repairOffset: UInt64?

  public var isHealthy: Bool { problems.isEmpty }

  init(
    file: String, fileSize: UInt64, header: LogHeader?, lineCount: Int, recordCount: Int,
    snapshotRecordCount: Int, lastSequence: UInt64, countsByType: [(type: String, count: Int)],
    problems: [Problem], repairOffset: UInt64?
  ) {
    self.file = file
    self.fileSize = fileSize
    self.formatVersion = header?.version
    self.snapshotSequence = header?.snapshotSequence ?? 0
    self.lineCount = lineCount
    self.recordCount = recordCount
    self.snapshotRecordCount = snapshotRecordCount
    self.lastSequence = lastSequence
    self.countsByType = countsByType
    self.problems = problems
    self.repairOffset = repairOffset
  }

  public var description: String {
    var lines: [String] = []
    lines.append(
      "\(file): \(fileSize) bytes, format version \(formatVersion.map(String.init) ?? "?")")
    if snapshotSequence > 0 || snapshotRecordCount > 0 {
      lines.append(
        "snapshot through sequence \(snapshotSequence) (\(snapshotRecordCount) snapshot records)")
    }
    lines.append("\(recordCount) records, last sequence \(lastSequence)")
    for (type, count) in countsByType { lines.append("  \(type): \(count)") }
    if problems.isEmpty {
      lines.append("no problems found")
    } else {
      lines.append("\(problems.count) problem(s):")
      for problem in problems {
        let torn = problem.isTornTail ? " [torn tail: removed automatically at startup]" : ""
        lines.append(
          "  line \(problem.line) (byte offset \(problem.offset)): \(problem.message)\(torn)")
      }
      if let repairOffset {
        lines.append(
          "`storefront log repair` would cut the file at byte offset \(repairOffset), "
            + "removing \(fileSize - repairOffset) bytes")
      }
    }
    return lines.joined(separator: "\n")
  }
}

/// What `repair` cut.
public struct EventLogRepair: Sendable, CustomStringConvertible {
  public let file: String
  /// Where the file now ends; nil when nothing needed cutting.
  public let cutAtOffset: UInt64?
  public let removedBytes: UInt64
  public let removedLines: Int
  public let firstRemovedLine: Int?
  public let lastKeptSequence: UInt64

  public var description: String {
    guard let cutAtOffset, let firstRemovedLine else {
      return "\(file): nothing to repair (last sequence \(lastKeptSequence))"
    }
    return
      "\(file): cut at byte offset \(cutAtOffset): removed \(removedLines) line(s) "
      + "(\(removedBytes) bytes) from line \(firstRemovedLine) on; "
      + "the log now ends at sequence \(lastKeptSequence)"
  }
}

/// Stands in for an application event type where only the file name is needed.
enum NeverEvent: LogEvent {
  var type: String { "" }
  func encodeData() -> JSONValue { .null }
  init(type: String, data: JSONValue) throws { throw EventLogError.closed }
}
