/// Walks a log file line by line, decoding each line and checking the file's rules:
/// a header first, snapshot lines only right after it (all with the header's snapshot
/// sequence), then consecutive sequence numbers.
struct LogFileScan {
  /// A line that breaks the format or the rules.
  struct Problem: Sendable, Equatable {
    var line: Int
    var offset: UInt64
    var length: UInt64
    var reason: String
    /// The line is the last in the file and failed to decode: an interrupted write.
    var isTornTail: Bool
  }

  let path: String
  var header: LogHeader?
  /// Lines read without a problem, header included.
  var goodLines = 0
  var lastSequence: UInt64 = 0
  /// Offset just past the last good line.
  var goodEnd: UInt64 = 0
  /// Offset just past the header and snapshot lines (the size right after a compaction).
  var snapshotEnd: UInt64 = 0
  var snapshotRecords = 0
  var records = 0
  var problems: [Problem] = []

  init(path: String) { self.path = path }

  /// Scans `fd` up to `limit`. With `stopAtFirstProblem`, returns at the first problem (and
  /// when that problem is not a torn tail, the caller treats it as corruption); otherwise
  /// collects every problem and keeps going.
  mutating func run(
    fd: Int32, limit: UInt64? = nil, stopAtFirstProblem: Bool,
    preDecode: LogLineFormat.PreDecode? = nil,
    onRecord: (RawRecord, _ line: Int, _ offset: UInt64) throws -> Void
  ) throws {
    let reader = LogLineReader(fd: fd, path: path, limit: limit)
    var lineNumber = 0
    var inSnapshot = true
    var expected: UInt64? = nil
    while let line = try reader.next() {
      lineNumber += 1
      var reason: String? = nil
      var decodeFailed = false
      var decoded: DecodedLine? = nil
      if line.terminated {
        do {
          decoded = try LogLineFormat.decode(line.bytes, preDecode: preDecode)
        } catch {
          reason = error.reason
          decodeFailed = true
        }
      } else {
        reason = "the line has no newline (an interrupted write)"
        decodeFailed = true
      }
      // After an unreadable line the next sequence is unknown: resynchronise on the next one.
      if decodeFailed { expected = nil }
      switch decoded {
      case .header(let found)?:
        if lineNumber == 1 {
          header = found
          lastSequence = found.snapshotSequence
          expected = found.snapshotSequence + 1
        } else {
          reason = "a header line in the middle of the log"
        }
      case .record(let record)?:
        if lineNumber == 1 {
          reason = "the file does not start with a storefront-eventlog header"
        } else if record.isSnapshot {
          let snapshot = header?.snapshotSequence ?? 0
          if !inSnapshot {
            reason = "a snapshot line after ordinary lines"
          } else if record.sequence != snapshot {
            reason = "snapshot line has sequence \(record.sequence), header says \(snapshot)"
          }
        } else {
          inSnapshot = false
          if let wanted = expected, record.sequence != wanted {
            reason =
              record.sequence < wanted
              ? "sequence \(record.sequence) does not increase (expected \(wanted))"
              : "sequence \(record.sequence) skips ahead (expected \(wanted); lines are missing)"
          }
          expected = record.sequence + 1
        }
        if reason == nil {
          try onRecord(record, lineNumber, line.offset)
          if record.isSnapshot {
            snapshotRecords += 1
          } else {
            records += 1
            lastSequence = record.sequence
          }
        }
      case nil:
        break
      }
      let end = line.offset + UInt64(line.bytes.count) + (line.terminated ? 1 : 0)
      if let reason {
        let length = UInt64(line.bytes.count) + (line.terminated ? 1 : 0)
        let offset = line.offset
        let torn = try decodeFailed && reader.atEnd()
        problems.append(
          Problem(
            line: lineNumber, offset: offset, length: length, reason: reason, isTornTail: torn))
        if stopAtFirstProblem { return }
      } else if problems.isEmpty {
        goodLines += 1
        goodEnd = end
        if inSnapshot { snapshotEnd = end }
      }
    }
  }
}
