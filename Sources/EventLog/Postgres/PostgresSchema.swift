import JSON
import Primitives

/// The tables of the PostgreSQL log and the statements on them.
///
/// `storefront_events` holds one row per event, `line` being the event's line in the file
/// format (`LogLineFormat`, with its CRC-32C), so export writes the rows out as they are and
/// verify checks the same checksums. `seq` is the gap-free global sequence: a writer numbers
/// its rows while it holds the transaction-scoped advisory lock ``appendLock``.
/// `storefront_snapshots` holds compaction snapshots: the snapshot lines standing for every
/// event up to `seq`.
enum PostgresSchema {
  /// The key of `pg_advisory_xact_lock` that appenders (and schema creation) take.
  static let appendLock = "7310451219"
  /// The `NOTIFY` channel; the payload is the new last sequence.
  static let channel = "storefront_events"

  static let create = """
    CREATE TABLE IF NOT EXISTS storefront_events (
      seq bigint PRIMARY KEY,
      line text NOT NULL,
      writer text NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS storefront_snapshots (
      seq bigint PRIMARY KEY,
      lines text NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );
    """

  static let lastSequence = """
    SELECT greatest(
      (SELECT coalesce(max(seq), 0) FROM storefront_events),
      (SELECT coalesce(max(seq), 0) FROM storefront_snapshots))
    """

  /// Events after `$1`, in order, at most `$2`.
  static let eventsAfter =
    "SELECT seq, line FROM storefront_events WHERE seq > $1 ORDER BY seq LIMIT $2"

  static let latestSnapshot =
    "SELECT seq, lines FROM storefront_snapshots ORDER BY seq DESC LIMIT 1"

  /// Creates the tables once, whichever node gets there first.
  static func ensure(_ connection: PGConnection) throws(PGError) {
    try connection.exec("BEGIN")
    do {
      try connection.exec("SELECT pg_advisory_xact_lock(\(appendLock))")
      try connection.exec(create)
      try connection.exec("COMMIT")
    } catch {
      _ = try? connection.exec("ROLLBACK")
      throw error
    }
  }

  /// An `INSERT` of `count` rows of (seq, line, writer).
  static func insert(count: Int) -> String {
    var sql = "INSERT INTO storefront_events (seq, line, writer) VALUES "
    for row in 0..<count {
      if row > 0 { sql += ", " }
      sql += "($\(row * 3 + 1)::bigint, $\(row * 3 + 2), $\(row * 3 + 3))"
    }
    return sql
  }

  /// The first column of the first row as an integer.
  static func integer(_ rows: [[String?]]) -> UInt64? {
    guard let row = rows.first, let text = row.first ?? nil else { return nil }
    return UInt64(text)
  }

  /// The rows of `eventsAfter` as (sequence, line).
  static func rows(_ result: [[String?]]) -> [(UInt64, String)] {
    result.compactMap { row in
      guard row.count == 2, let seq = row[0].flatMap({ UInt64($0) }), let line = row[1] else {
        return nil
      }
      return (seq, line)
    }
  }

  /// One stored line (without its newline) as a record of `Event`.
  static func decode<Event: LogEvent>(
    _ line: String, sequence: UInt64, source: String
  ) throws -> LogRecord<Event> {
    let bytes = Array(line.utf8)
    let outcome = bytes.withUnsafeBytes { buffer -> Result<DecodedLine, LineProblem> in
      do throws(LineProblem) {
        return .success(try LogLineFormat.decode(buffer))
      } catch {
        return .failure(error)
      }
    }
    let decoded: DecodedLine
    switch outcome {
    case .success(let line): decoded = line
    case .failure(let problem):
      throw EventLogError.corruptLine(
        file: source, line: Int(sequence), offset: 0, reason: problem.reason)
    }
    guard case .record(let raw) = decoded, raw.sequence == sequence else {
      throw EventLogError.corruptLine(
        file: source, line: Int(sequence), offset: 0,
        reason: "the row of sequence \(sequence) holds another line")
    }
    let event: Event
    do {
      event = try Event(type: raw.type, data: raw.data)
    } catch {
      throw EventLogError.undecodableEvent(
        file: source, line: Int(sequence), offset: 0, type: raw.type, reason: "\(error)")
    }
    return LogRecord(
      sequence: raw.sequence, timestamp: raw.timestamp, event: event, isSnapshot: raw.isSnapshot)
  }

  /// The lines of a snapshot row, one record each.
  static func snapshotRecords<Event: LogEvent>(
    _ lines: String, sequence: UInt64, source: String
  ) throws -> [LogRecord<Event>] {
    try lines.split(separator: "\n").map {
      try decode(String($0), sequence: sequence, source: source)
    }
  }

  /// Replays the newest snapshot and then every event after it, in order, refusing a gap in the
  /// sequence; returns the last sequence replayed and the snapshot's (0: none).
  static func replay<Event: LogEvent>(
    _ connection: PGConnection, _ replay: (LogRecord<Event>) throws -> Void
  ) throws -> (last: UInt64, snapshot: UInt64) {
    var last: UInt64 = 0
    var snapshot: UInt64 = 0
    if let row = try connection.exec(latestSnapshot).first,
      let seq = row[0].flatMap({ UInt64($0) }), let lines = row[1]
    {
      let records: [LogRecord<Event>] = try snapshotRecords(
        lines, sequence: seq, source: "storefront_snapshots")
      for record in records { try replay(record) }
      last = seq
      snapshot = seq
    }
    while true {
      let rows = rows(try connection.exec(eventsAfter, [String(last), "10000"]))
      for (seq, line) in rows {
        guard seq == last + 1 else {
          throw EventLogError.corruptLine(
            file: "storefront_events", line: Int(seq), offset: 0,
            reason: "sequence \(seq) skips ahead (expected \(last + 1); rows are missing)")
        }
        let record: LogRecord<Event> = try decode(
          line, sequence: seq, source: "storefront_events")
        try replay(record)
        last = seq
      }
      if rows.count < 10000 { break }
    }
    return (last, snapshot)
  }
}
