import EventLog
import EventLogTestSupport
import JSON
import Testing

#if canImport(Glibc)
  import Glibc
#endif

struct CorruptionTests {
  /// Cuts the last line at every possible length (including just its newline): each time the
  /// earlier records replay, the torn line is removed with a warning naming its offset, and the
  /// log keeps working from the right sequence.
  @Test func tornTailOfEveryLengthIsCutWithAWarning() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 4)
    let original = try readFile(directory.logFile)
    let lastLine = lineRanges(original).last!
    for keep in 0..<(lastLine.count) {
      try writeFile(directory.logFile, Array(original[..<(lastLine.lowerBound + keep)]))
      let warnings = Warnings()
      let (log, records) = try openCollecting(directory.data, warnings: warnings)
      #expect(records.map(\.event) == (1...3).map(ShopEvent.sample))
      if keep == 0 {
        #expect(warnings.messages.isEmpty)
      } else {
        #expect(warnings.messages.count == 1)
        #expect(warnings.messages.first?.contains("byte offset \(lastLine.lowerBound)") == true)
      }
      #expect(try readFile(directory.logFile) == Array(original[..<lastLine.lowerBound]))
      #expect(try await log.append([.sample(4)]) == 4)
      try await log.close()
      let (after, _) = try await replayAll(directory.data)
      #expect(after.map(\.event) == (1...4).map(ShopEvent.sample))
    }
  }

  @Test func aTornHeaderStartsANewLog() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 0)
    let header = try readFile(directory.logFile)
    for keep in 1..<header.count {
      try writeFile(directory.logFile, Array(header[..<keep]))
      let warnings = Warnings()
      let (log, records) = try openCollecting(directory.data, warnings: warnings)
      #expect(records.isEmpty)
      #expect(warnings.messages.first?.contains("byte offset 0") == true)
      #expect(try await log.append([.sample(1)]) == 1)
      try await log.close()
    }
  }

  @Test func aFlippedByteMidFileStopsStartupNamingTheLine() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 9)
    var bytes = try readFile(directory.logFile)
    let line5 = lineRanges(bytes)[4]
    bytes[line5.lowerBound + 60] ^= 0x01
    try writeFile(directory.logFile, bytes)
    do {
      _ = try openCollecting(directory.data)
      Issue.record("open succeeded on a corrupt log")
    } catch let error as EventLogError {
      guard case .corruptLine(let file, let line, let offset, let reason) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(file == directory.logFile)
      #expect(line == 5)
      #expect(offset == UInt64(line5.lowerBound))
      #expect(reason.contains("checksum mismatch"))
      let text = error.description
      #expect(text.contains("line 5"))
      #expect(text.contains("storefront log verify --data-dir \(directory.data)"))
      #expect(text.contains("storefront log repair --data-dir \(directory.data)"))
    }
    // The lock was released by the failed open.
    let report = try EventLogTools.verify(directory: directory.data)
    #expect(report.problems.map(\.line) == [5])
    #expect(report.problems.first?.isTornTail == false)
    #expect(report.repairOffset == UInt64(line5.lowerBound))
    #expect(report.lastSequence == 9)
    #expect(report.description.contains("line 5"))

    let repair = try EventLogTools.repair(directory: directory.data)
    #expect(repair.cutAtOffset == UInt64(line5.lowerBound))
    #expect(repair.removedLines == 6)
    #expect(repair.firstRemovedLine == 5)
    #expect(repair.lastKeptSequence == 3)
    let (records, _) = try await replayAll(directory.data)
    #expect(records.map(\.event) == (1...3).map(ShopEvent.sample))
    #expect(try EventLogTools.verify(directory: directory.data).isHealthy)
  }

  @Test func aFlippedByteInTheLastLineIsATornTail() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 3)
    var bytes = try readFile(directory.logFile)
    let last = lineRanges(bytes).last!
    bytes[last.lowerBound + 40] ^= 0x20
    try writeFile(directory.logFile, bytes)
    let warnings = Warnings()
    let (records, _) = try await replayAll(directory.data, warnings: warnings)
    #expect(records.count == 2)
    #expect(warnings.messages.count == 1)
  }

  @Test func sequenceGapsAndStrayLinesAreReported() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 5)
    let bytes = try readFile(directory.logFile)
    let lines = lineRanges(bytes)
    // Drop line 3 (sequence 2): intact lines, but one is missing.
    try writeFile(
      directory.logFile, Array(bytes[..<lines[2].lowerBound] + bytes[lines[3].lowerBound...]))
    #expect {
      _ = try openCollecting(directory.data)
    } throws: { error in
      guard case .corruptLine(_, 3, _, let reason) = error as? EventLogError else { return false }
      return reason.contains("skips ahead")
    }
    let report = try EventLogTools.verify(directory: directory.data)
    #expect(report.problems.map(\.line) == [3])
    // The line after the gap is reported, not counted; counting resumes after it.
    #expect(report.recordCount == 3)
    #expect(report.countsByType.map(\.count).reduce(0, +) == 3)
  }

  @Test func anEmptyFileBecomesANewLog() async throws {
    let directory = TemporaryDirectory()
    mkdir(directory.data, 0o755)
    try writeFile(directory.logFile, [])
    let (log, records) = try openCollecting(directory.data)
    #expect(records.isEmpty)
    #expect(try await log.append([.sample(1)]) == 1)
    try await log.close()
    #expect(try EventLogTools.verify(directory: directory.data).recordCount == 1)
  }

  @Test func aFileThatIsNotALogIsRefused() async throws {
    let directory = TemporaryDirectory()
    mkdir(directory.data, 0o755)
    try writeFile(directory.logFile, Array("{\"hello\":\"world\"}\n{}\n".utf8))
    #expect {
      _ = try openCollecting(directory.data)
    } throws: { error in
      guard case .corruptLine(_, 1, 0, _) = error as? EventLogError else { return false }
      return true
    }
  }

  @Test func anUndecodableEventNamesItsLine() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 2)
    // Rewrite line 2 as a valid line of an unknown type, with a correct checksum.
    struct Alien: LogEvent {
      var type: String { "alienLanded" }
      func encodeData() -> JSONValue { .object(["x": .int(1)]) }
      init() {}
      init(type: String, data: JSONValue) throws { self.init() }
    }
    let alienDirectory = TemporaryDirectory()
    let alienLog = try EventLog<Alien>.open(directory: alienDirectory.data, options: .init()) { _ in
    }
    _ = try await alienLog.append([Alien()])
    try await alienLog.close()
    let alienLines = lineRanges(try readFile(alienDirectory.logFile))
    let alienBytes = try readFile(alienDirectory.logFile)
    let ours = try readFile(directory.logFile)
    let ourLines = lineRanges(ours)
    try writeFile(
      directory.logFile,
      Array(ours[ourLines[0]]) + Array(alienBytes[alienLines[1]]) + Array(ours[ourLines[2]]))
    #expect {
      _ = try openCollecting(directory.data)
    } throws: { error in
      guard case .undecodableEvent(_, 2, _, "alienLanded", _) = error as? EventLogError else {
        return false
      }
      return true
    }
  }
}
