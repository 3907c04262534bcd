import JSON
import Primitives

/// The on-disk line format (version 1). Every line is one JSON object ending in a CRC-32C of the
/// bytes before `,"crc"`:
///
/// ```
/// {"format":"storefront-eventlog","version":1,"snapshot":0,"created":"…Z","crc":"1c2d3e4f"}
/// {"seq":1,"ts":"2026-11-28T00:13:04.123456Z","type":"orderPlaced","data":{…},"crc":"…"}
/// {"seq":42,"snapshot":true,"ts":"…","type":"productCreated","data":{…},"crc":"…"}
/// ```
///
/// The header's `snapshot` is the sequence a compaction summarised (0: none). Right after the
/// header come that compaction's snapshot lines, all carrying `"seq":<snapshot>` and
/// `"snapshot":true`; then ordinary lines with sequences `snapshot+1, snapshot+2, …`.
enum LogLineFormat {
  static let formatName = "storefront-eventlog"
  static let version = 1
  /// `,"crc":"` + 8 hex digits + `"}`.
  static let checksumSuffixLength = 18

  /// The `"type":…,"data":…` fragment of an event, encoded by the appender.
  static func body(of event: some LogEvent) -> [UInt8] {
    var writer = JSONWriter(capacity: 256)
    writer.key("type")
    writer.string(event.type)
    writer.key("data")
    writer.write(value: event.encodeData())
    return writer.bytes
  }

  static func appendHeader(
    to bytes: inout [UInt8], snapshotSequence: UInt64, created: Timestamp
  ) {
    let start = bytes.count
    bytes.append(contentsOf: #"{"format":""#.utf8)
    bytes.append(contentsOf: formatName.utf8)
    bytes.append(contentsOf: #"","version":"#.utf8)
    bytes.append(contentsOf: String(version).utf8)
    bytes.append(contentsOf: #","snapshot":"#.utf8)
    bytes.append(contentsOf: String(snapshotSequence).utf8)
    bytes.append(contentsOf: #","created":""#.utf8)
    created.append(to: &bytes)
    bytes.append(UInt8(ascii: "\""))
    appendChecksum(to: &bytes, lineStart: start)
  }

  static func appendRecord(
    to bytes: inout [UInt8], sequence: UInt64, isSnapshot: Bool, timestamp: Timestamp,
    body: [UInt8]
  ) {
    let start = bytes.count
    bytes.append(contentsOf: #"{"seq":"#.utf8)
    appendDecimal(sequence, to: &bytes)
    if isSnapshot { bytes.append(contentsOf: #","snapshot":true"#.utf8) }
    bytes.append(contentsOf: #","ts":""#.utf8)
    timestamp.append(to: &bytes)
    bytes.append(contentsOf: #"","#.utf8)
    bytes.append(contentsOf: body)
    appendChecksum(to: &bytes, lineStart: start)
  }

  private static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var position = 20
      var remaining = value
      repeat {
        position -= 1
        digits[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
        remaining /= 10
      } while remaining > 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
    }
  }

  private static func appendChecksum(to bytes: inout [UInt8], lineStart: Int) {
    let crc = bytes.withUnsafeBytes {
      CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[lineStart...]))
    }
    bytes.append(contentsOf: #","crc":""#.utf8)
    for shift in stride(from: 28, through: 0, by: -4) {
      bytes.append(Hex.digit(UInt8(truncatingIfNeeded: crc >> UInt32(shift)) & 0xF))
    }
    bytes.append(contentsOf: "\"}\n".utf8)
  }
}

/// The header line's contents.
struct LogHeader: Sendable, Equatable {
  var version: Int
  var snapshotSequence: UInt64
  var created: Timestamp
}

/// One decoded record line, before the application's event type is involved.
struct RawRecord {
  var sequence: UInt64
  var isSnapshot: Bool
  var timestamp: Timestamp
  var type: String
  /// `.null` when `preDecoded`.
  var data: JSONValue
  /// The scan's `preDecode` took the data's bytes, so `data` was not parsed.
  var preDecoded = false
}

enum DecodedLine {
  case header(LogHeader)
  case record(RawRecord)
}

/// Why a line could not be decoded (the text completes "is corrupt: …").
struct LineProblem: Error {
  var reason: String
}

extension LogLineFormat {
  /// Decodes one line (without its newline), checking the checksum first. When `preDecode`
  /// accepts a record's type and data bytes, the data is not parsed (see `RawRecord`).
  static func decode(
    _ line: UnsafeRawBufferPointer, preDecode: PreDecode? = nil
  ) throws(LineProblem) -> DecodedLine {
    let count = line.count
    guard count > checksumSuffixLength + 2 else {
      throw LineProblem(reason: "the line is too short to be a log record (\(count) bytes)")
    }
    let suffixStart = count - checksumSuffixLength
    guard matches(line, at: suffixStart, #","crc":""#), line[count - 2] == UInt8(ascii: "\""),
      line[count - 1] == UInt8(ascii: "}"),
      let stored = parseHex(line, from: suffixStart + 8, count: 8)
    else { throw LineProblem(reason: "the line does not end with its checksum") }
    let actual = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: line[0..<suffixStart]))
    guard stored == actual else {
      throw LineProblem(
        reason: "checksum mismatch (stored \(hex8(stored)), computed \(hex8(actual)))")
    }
    if matches(line, at: 0, #"{"seq":"#) {
      return .record(try decodeRecord(line, end: suffixStart, preDecode: preDecode))
    }
    if matches(line, at: 0, #"{"format":"#) { return .header(try decodeHeader(line)) }
    throw LineProblem(reason: "the line is neither a header nor a record")
  }

  /// Given a record's type and the bytes of its data, true when it took them.
  typealias PreDecode = (_ type: String, _ data: UnsafeRawBufferPointer) -> Bool

  private static func decodeRecord(
    _ line: UnsafeRawBufferPointer, end: Int, preDecode: PreDecode?
  ) throws(LineProblem) -> RawRecord {
    var index = 7
    var sequence: UInt64 = 0
    let digitsStart = index
    while index < end, line[index] &- UInt8(ascii: "0") < 10 {
      let (times10, overflow1) = sequence.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(UInt64(line[index] - 48))
      if overflow1 || overflow2 { throw LineProblem(reason: "the sequence number is too large") }
      sequence = sum
      index += 1
    }
    guard index > digitsStart else { throw LineProblem(reason: "the sequence number is missing") }
    var isSnapshot = false
    if matches(line, at: index, #","snapshot":true"#) {
      isSnapshot = true
      index += 16
    }
    guard matches(line, at: index, #","ts":""#) else {
      throw LineProblem(reason: "the timestamp is missing")
    }
    index += 7
    guard index + Timestamp.textLength < end,
      let timestamp = Timestamp(
        iso8601: UnsafeRawBufferPointer(
          rebasing: line[index..<(index + Timestamp.textLength)])),
      line[index + Timestamp.textLength] == UInt8(ascii: "\"")
    else { throw LineProblem(reason: "the timestamp is malformed") }
    index += Timestamp.textLength + 1
    guard matches(line, at: index, #","type":"#) else {
      throw LineProblem(reason: "the type is missing")
    }
    index += 8
    let typeValue: JSONValue
    do {
      typeValue = try JSONParser.parseValue(in: line, at: &index)
    } catch {
      throw LineProblem(reason: "the type is not valid JSON (\(error))")
    }
    guard case .string(let type) = typeValue else {
      throw LineProblem(reason: "the type is not a string")
    }
    guard matches(line, at: index, #","data":"#) else {
      throw LineProblem(reason: "the data is missing")
    }
    index += 8
    if let preDecode, index < end,
      preDecode(type, UnsafeRawBufferPointer(rebasing: line[index..<end]))
    {
      return RawRecord(
        sequence: sequence, isSnapshot: isSnapshot, timestamp: timestamp, type: type,
        data: .null, preDecoded: true)
    }
    let data: JSONValue
    do {
      data = try JSONParser.parseValue(in: line, at: &index)
    } catch {
      throw LineProblem(reason: "the data is not valid JSON (\(error))")
    }
    guard index == end else { throw LineProblem(reason: "unexpected text after the data") }
    return RawRecord(
      sequence: sequence, isSnapshot: isSnapshot, timestamp: timestamp, type: type, data: data)
  }

  private static func decodeHeader(_ line: UnsafeRawBufferPointer) throws(LineProblem) -> LogHeader
  {
    let value: JSONValue
    do {
      value = try JSONParser.parse(line)
    } catch {
      throw LineProblem(reason: "the header is not valid JSON (\(error))")
    }
    guard value["format"]?.stringValue == formatName else {
      throw LineProblem(reason: "not a \(formatName) header")
    }
    guard let version = value["version"]?.intValue else {
      throw LineProblem(reason: "the header has no version")
    }
    guard version == LogLineFormat.version else {
      throw LineProblem(
        reason:
          "format version \(version) is not supported (this build reads version \(LogLineFormat.version))"
      )
    }
    guard let snapshotText = value["snapshot"]?.numberLiteral,
      let snapshot = UInt64(snapshotText),
      let createdText = value["created"]?.stringValue,
      let created = Array(createdText.utf8).withUnsafeBytes({ Timestamp(iso8601: $0) })
    else { throw LineProblem(reason: "the header is missing its snapshot or creation time") }
    return LogHeader(version: version, snapshotSequence: snapshot, created: created)
  }

  private static func matches(
    _ line: UnsafeRawBufferPointer, at index: Int, _ literal: StaticString
  ) -> Bool {
    let length = literal.utf8CodeUnitCount
    guard index >= 0, index + length <= line.count else { return false }
    let pointer = literal.utf8Start
    for offset in 0..<length where line[index + offset] != pointer[offset] { return false }
    return true
  }

  private static func parseHex(
    _ line: UnsafeRawBufferPointer, from start: Int, count: Int
  ) -> UInt32? {
    var value: UInt32 = 0
    for index in start..<(start + count) {
      let byte = line[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  static func hex8(_ value: UInt32) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 8 - text.count) + text
  }
}
