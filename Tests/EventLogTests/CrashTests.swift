import EventLog
import EventLogTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Real child processes, really killed.
struct CrashTests {
  /// A child appends with `.always` from 8 tasks and reports each acknowledged sequence; it is
  /// SIGKILLed at a random moment. Every round, the replay must hold every acknowledged
  /// sequence, in order, with nothing half-written left behind.
  @Test func sigkillNeverLosesAnAcknowledgedAppend() async throws {
    let directory = TemporaryDirectory()
    var generator = SystemRandomNumberGenerator()
    var previousLast: UInt64 = 0
    var totalAcknowledged = 0
    for round in 1...24 {
      let child = try ChildProcess(["append", directory.data, "8"])
      #expect(child.readLine() == "ready", "round \(round)")
      usleep(UInt32.random(in: 5_000...150_000, using: &generator))
      child.kill()
      child.waitForExit()
      let acknowledged = child.remainingLines().compactMap { UInt64($0) }
      totalAcknowledged += acknowledged.count

      let warnings = Warnings()
      let (records, _) = try await replayAll(directory.data, warnings: warnings)
      let sequences = records.map(\.sequence)
      #expect(sequences == (0..<UInt64(records.count)).map { $0 + 1 })
      let last = sequences.last ?? 0
      #expect(last >= previousLast, "round \(round): records disappeared")
      if let highest = acknowledged.max() {
        #expect(highest <= last, "round \(round): acknowledged \(highest), replayed up to \(last)")
      }
      #expect(Set(acknowledged).isSubset(of: Set(sequences)))
      #expect(warnings.messages.count <= 1)
      #expect(try EventLogTools.verify(directory: directory.data).isHealthy, "round \(round)")
      previousLast = last
    }
    #expect(totalAcknowledged > 0)
  }

  /// Kills a child at each step of a compaction (while it keeps appending); the directory must
  /// load, hold every acknowledged event, and build exactly the expected state.
  @Test(arguments: CompactionStep.allCases)
  func aKillDuringCompactionLeavesALoadableDirectory(step: CompactionStep) async throws {
    let directory = TemporaryDirectory()
    let child = try ChildProcess(["compact-crash", directory.data, step.rawValue])
    let lines = child.remainingLines()
    let status = child.waitForExit()
    #expect(status & 0x7F == SIGKILL, "the child should die at \(step); output: \(lines.suffix(3))")
    let acknowledged = lines.compactMap { UInt64($0) }
    #expect(acknowledged.first == 3000)

    let warnings = Warnings()
    let (records, state) = try await replayAll(directory.data, warnings: warnings)
    let temporaryLeft = FileManager.default.fileExists(atPath: directory.logFile + ".compacting")
    #expect(!temporaryLeft)
    let report = try EventLogTools.verify(directory: directory.data)
    #expect(report.isHealthy)
    let compacted = records.contains { $0.isSnapshot }
    switch step {
    case .snapshotWritten, .tailCopiedAndSynced:
      #expect(!compacted)
      #expect(warnings.messages.contains { $0.contains("compaction that did not finish") })
    case .renamed, .directorySynced:
      #expect(compacted)
    }
    let last = report.lastSequence
    #expect(last >= (acknowledged.max() ?? 0))
    #expect(state == ShopState.afterSamples(Int(last)))
  }

  /// A write failing for lack of space (here: the file size limit) stops the log for good:
  /// that append and every later one fail with `writesStopped`, and nothing acknowledged is lost.
  @Test func aFailedWriteRefusesEveryLaterAppend() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 2)
    let child = try ChildProcess(["fsize", directory.data])
    let lines = child.remainingLines()
    child.waitForExit()
    let acknowledged = lines.filter { $0.hasPrefix("ack ") }.compactMap { UInt64($0.dropFirst(4)) }
    #expect(!acknowledged.isEmpty)
    let first = lines.first { $0.hasPrefix("error1 ") } ?? ""
    let second = lines.first { $0.hasPrefix("error2 ") } ?? ""
    #expect(first.contains("refuses writes"))
    #expect(first.contains("File too large"))
    #expect(second.hasPrefix("error2 refuses=true"))
    let (records, _) = try await replayAll(directory.data)
    #expect(records.last?.sequence == acknowledged.last)
    #expect(try EventLogTools.verify(directory: directory.data).isHealthy)
  }
}
