import EventLog
import EventLogTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh directory under /tmp, removed when dropped.
final class TemporaryDirectory {
  let path: String

  init() {
    var template = Array("/tmp/eventlog-test-XXXXXX".utf8CString)
    let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(result != nil, "mkdtemp failed")
    path = String(cString: result!)
  }

  /// The data directory used by most tests (created by `EventLog.open`).
  var data: String { path + "/data" }
  var logFile: String { data + "/events.jsonl" }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

func readFile(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Byte ranges of the lines of `bytes` (each including its newline when present).
func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
  var ranges: [Range<Int>] = []
  var start = 0
  for (index, byte) in bytes.enumerated() where byte == 0x0A {
    ranges.append(start..<(index + 1))
    start = index + 1
  }
  if start < bytes.count { ranges.append(start..<bytes.count) }
  return ranges
}

/// Collects warnings from `EventLog.open`.
final class Warnings {
  var messages: [String] = []
}

/// Opens `directory`, replaying into a list, and returns both.
func openCollecting(
  _ directory: String, options: EventLogOptions<ShopEvent> = .init(policy: .never),
  warnings: Warnings? = nil
) throws -> (EventLog<ShopEvent>, [LogRecord<ShopEvent>]) {
  var records: [LogRecord<ShopEvent>] = []
  let log = try EventLog<ShopEvent>.open(
    directory: directory, options: options, warning: { warnings?.messages.append($0) }
  ) { records.append($0) }
  return (log, records)
}

/// Opens, replays, closes; returns the records and the state they build.
func replayAll(
  _ directory: String, warnings: Warnings? = nil
) async throws -> ([LogRecord<ShopEvent>], ShopState) {
  let (log, records) = try openCollecting(directory, warnings: warnings)
  try await log.close()
  var state = ShopState()
  for record in records { state.apply(record.event) }
  return (records, state)
}

/// Writes `count` sample events to a new log in `directory` and closes it.
func makeLog(_ directory: String, count: Int) async throws {
  let (log, records) = try openCollecting(directory)
  #expect(records.isEmpty)
  if count > 0 { _ = try await log.append((1...count).map(ShopEvent.sample)) }
  try await log.close()
}
