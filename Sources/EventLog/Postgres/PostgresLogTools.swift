import JSON
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `storefront log export`, `import` and `verify` for the PostgreSQL log. The file side is the
/// file backend's format (`events.jsonl`), so a log moves between backends unchanged.
public enum PostgresLogTools {
  /// Writes the newest snapshot and every event after it to `path` as a log file, from one
  /// consistent view, through ``LogBackupFile`` (0600; `path` is replaced only once the whole
  /// file is synced). Returns how many events (after
  /// the snapshot) and the last sequence.
  @discardableResult
  public static func export(url: String, to path: String) throws -> (
    records: Int, lastSequence: UInt64
  ) {
    let connection = try PGConnection(url: url, timeoutSeconds: 5)
    try PostgresSchema.ensure(connection)
    try connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    defer { _ = try? connection.exec("COMMIT") }
    let file = try LogBackupFile(destination: path)
    var finished = false
    defer { if !finished { file.abandon() } }
    var bytes: [UInt8] = []
    var last: UInt64 = 0
    var snapshotLines = ""
    if let row = try connection.exec(PostgresSchema.latestSnapshot).first,
      let seq = row[0].flatMap({ UInt64($0) }), let lines = row[1]
    {
      last = seq
      snapshotLines = lines
    }
    LogLineFormat.appendHeader(to: &bytes, snapshotSequence: last, created: .now())
    for line in snapshotLines.split(separator: "\n") {
      bytes.append(contentsOf: line.utf8)
      bytes.append(UInt8(ascii: "\n"))
    }
    var records = 0
    while true {
      let rows = PostgresSchema.rows(
        try connection.exec(PostgresSchema.eventsAfter, [String(last), "10000"]))
      for (seq, line) in rows {
        bytes.append(contentsOf: line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        last = seq
        records += 1
      }
      try file.append(bytes)
      bytes.removeAll(keepingCapacity: true)
      if rows.count < 10000 { break }
    }
    finished = true
    try file.finish()
    return (records, last)
  }

  /// Loads the log file at `path` (checked first: any problem refuses it) into an empty
  /// PostgreSQL log, in one transaction. Returns how many events and the last sequence.
  @discardableResult
  public static func importLog(url: String, from path: String) throws -> (
    records: Int, lastSequence: UInt64
  ) {
    let report = try EventLogTools.verify(file: path)
    guard report.isHealthy else {
      throw EventLogError.corruptLine(
        file: path, line: report.problems[0].line, offset: report.problems[0].offset,
        reason: report.problems[0].message + " (nothing was imported)")
    }
    let fd = SystemCalls.openFile(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw SystemCalls.ioError("opening", path) }
    defer { SystemCalls.closeFile(fd) }
    var snapshotLines: [String] = []
    var events: [(UInt64, String)] = []
    var scan = LogFileScan(path: path)
    try scan.run(fd: fd, stopAtFirstProblem: true) { raw, _, _ in
      var body = JSONWriter(capacity: 256)
      body.key("type")
      body.string(raw.type)
      body.key("data")
      body.write(value: raw.data)
      var line: [UInt8] = []
      LogLineFormat.appendRecord(
        to: &line, sequence: raw.sequence, isSnapshot: raw.isSnapshot, timestamp: raw.timestamp,
        body: body.bytes)
      line.removeLast()
      let text = String(decoding: line, as: UTF8.self)
      if raw.isSnapshot { snapshotLines.append(text) } else { events.append((raw.sequence, text)) }
    }
    let snapshotSequence = scan.header?.snapshotSequence ?? 0

    let connection = try PGConnection(url: url, timeoutSeconds: 5)
    try PostgresSchema.ensure(connection)
    try connection.exec("BEGIN")
    do {
      try connection.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.appendLock))")
      let existing = try connection.exec(PostgresSchema.lastSequence)
      guard PostgresSchema.integer(existing) == 0 else {
        throw EventLogError.directoryNotEmpty(path: "the PostgreSQL log")
      }
      if snapshotSequence > 0 || !snapshotLines.isEmpty {
        try connection.exec(
          "INSERT INTO storefront_snapshots (seq, lines) VALUES ($1::bigint, $2)",
          [String(snapshotSequence), snapshotLines.joined(separator: "\n")])
      }
      var index = 0
      while index < events.count {
        let chunk = events[index..<min(index + 1000, events.count)]
        var parameters: [String?] = []
        for (seq, line) in chunk { parameters += [String(seq), line, "import"] }
        try connection.exec(PostgresSchema.insert(count: chunk.count), parameters)
        index += chunk.count
      }
      try connection.exec("COMMIT")
    } catch {
      _ = try? connection.exec("ROLLBACK")
      throw error
    }
    return (events.count, scan.lastSequence)
  }

  /// Checks the PostgreSQL log as `storefront log verify` checks a file: every line's checksum
  /// and format, the snapshot, and that the sequence has no gaps.
  public static func verify(url: String) throws -> EventLogReport {
    var template = Array("/tmp/storefront-verify-XXXXXX".utf8CString)
    guard let directory = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) })
    else { throw SystemCalls.ioError("creating a temporary directory in", "/tmp") }
    let path = String(cString: directory) + "/events.jsonl"
    defer {
      unlink(path)
      rmdir(String(cString: directory))
    }
    try export(url: url, to: path)
    return try EventLogTools.verify(file: path, name: "PostgreSQL log (storefront_events)")
  }
}

/// Builds and stores a snapshot row for ``PostgresEventLog/compact()``.
enum PostgresCompaction {
  /// The advisory lock one compaction at a time holds (cluster-wide).
  static let lock = "7310451220"

  /// Writes a snapshot row; returns its sequence, or nil when another compaction was running.
  @discardableResult
  static func run<Event: LogEvent>(
    options: PostgresLogOptions<Event>, compactor: LogCompactor<Event>
  ) throws -> UInt64? {
    let connection = try PGConnection(url: options.url, timeoutSeconds: 5)
    let locked = try connection.exec("SELECT pg_try_advisory_lock(\(lock))")
    guard locked.first?.first == "t" else { return nil }
    try connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    var last: UInt64 = 0
    let events: [Event]
    do {
      events = try compactor.run { replay in
        last = try PostgresSchema.replay(connection, replay).last
      }
      try connection.exec("COMMIT")
    } catch {
      _ = try? connection.exec("ROLLBACK")
      throw EventLogError.compactionFailed(reason: "\(error)")
    }
    let now = Timestamp.now()
    var lines: [UInt8] = []
    for event in events {
      LogLineFormat.appendRecord(
        to: &lines, sequence: last, isSnapshot: true, timestamp: now,
        body: LogLineFormat.body(of: event))
    }
    if lines.last == UInt8(ascii: "\n") { lines.removeLast() }
    try connection.exec(
      "INSERT INTO storefront_snapshots (seq, lines) VALUES ($1::bigint, $2) ON CONFLICT (seq) DO NOTHING",
      [String(last), String(decoding: lines, as: UTF8.self)])
    return last
  }
}
