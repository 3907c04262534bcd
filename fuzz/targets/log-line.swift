// libFuzzer entry: LogLineFormat.decode, the reader of one events.jsonl line (compiled
// together with Sources/EventLog; the JSON module is built first).
//
// An even first byte means "the rest, with a correct checksum appended", so the fuzzer gets
// past the CRC to the structure; an odd one means "the rest, as is".
// Invariants: total; a decoded line written back with LogLineFormat decodes to the same
// header or record.

import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  var line = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  if data[0] & 1 == 0 {
    let crc = CRC32C.checksum(line)
    line += Array(#","crc":""#.utf8) + Array(LogLineFormat.hex8(crc).utf8) + Array(#""}"#.utf8)
  }
  guard let decoded = decode(line) else { return 0 }
  var rewritten: [UInt8] = []
  switch decoded {
  case .header(let header):
    LogLineFormat.appendHeader(
      to: &rewritten, snapshotSequence: header.snapshotSequence, created: header.created)
  case .record(let record):
    var body = JSONWriter()
    body.key("type")
    body.string(record.type)
    body.key("data")
    body.write(value: record.data)
    LogLineFormat.appendRecord(
      to: &rewritten, sequence: record.sequence, isSnapshot: record.isSnapshot,
      timestamp: record.timestamp, body: body.bytes)
  }
  check(rewritten.last == UInt8(ascii: "\n"), "a written line ends in a newline")
  rewritten.removeLast()
  guard let again = decode(rewritten) else {
    fatalError("a rewritten line does not decode: \(String(decoding: rewritten, as: UTF8.self))")
  }
  switch (decoded, again) {
  case (.header(let first), .header(let second)):
    check(first == second, "header changed")
  case (.record(let first), .record(let second)):
    check(
      first.sequence == second.sequence && first.isSnapshot == second.isSnapshot
        && first.timestamp == second.timestamp && first.type == second.type
        && first.data == second.data, "record changed")
  default:
    fatalError("a header became a record or the reverse")
  }
  return 0
}

private func decode(_ line: [UInt8]) -> DecodedLine? {
  line.withUnsafeBytes { try? LogLineFormat.decode($0) }
}
