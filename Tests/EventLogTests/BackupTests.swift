import EventLog
import EventLogTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Backups of a live log and restores of them.
struct BackupTests {
  func options(_ policy: FsyncPolicy = .never) -> EventLogOptions<ShopEvent> {
    EventLogOptions(policy: policy, compactor: ShopState.compactor)
  }

  /// Under appends (and a compaction running at the same time), a backup holds exactly the
  /// state at its sequence: sample events 1...S, where S is between what was acknowledged
  /// before it started and after it ended.
  @Test(arguments: [FsyncPolicy.never, .batch(milliseconds: 2), .always])
  func backupUnderAppendsHoldsTheStateAtItsSequence(policy: FsyncPolicy) async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options(policy))
    _ = try await log.append((1...2000).map(ShopEvent.sample))
    let writer = Task {
      var last: UInt64 = 0
      for index in 2001...2300 { last = try await log.append([.sample(index)]) }
      return last
    }
    async let compaction: Void = log.compact()
    let destination = directory.path + "/backup.jsonl"
    let backup = try await log.backup(to: destination)
    try await compaction
    let last = try await writer.value
    try await log.close()
    #expect(backup.sequence >= 2000 && backup.sequence <= last)
    #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
    #expect(try readFile(destination).count == Int(backup.bytes))

    let restored = directory.path + "/restored"
    let outcome = try EventLog<ShopEvent>.restore(from: destination, into: restored, force: false)
    #expect(outcome.sequence == backup.sequence)
    #expect(outcome.records == backup.records)
    let (records, state) = try await replayAll(restored)
    #expect(state == ShopState.afterSamples(Int(backup.sequence)))
    #expect(records.allSatisfy { $0.isSnapshot && $0.sequence == backup.sequence })
    // The restored log goes on after the backup's sequence.
    let (reopened, _) = try openCollecting(restored, options: options())
    #expect(try await reopened.append([.sample(Int(backup.sequence) + 1)]) == backup.sequence + 1)
    try await reopened.close()
    #expect(
      try await replayAll(restored).1 == ShopState.afterSamples(Int(backup.sequence) + 1))
    var mode = stat()
    #expect(stat(restored + "/events.jsonl", &mode) == 0)
    #expect(mode.st_mode & 0o777 == 0o600)
  }

  @Test func restoreRefusesANonEmptyDirectoryUnlessForced() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 30)
    let (log, _) = try openCollecting(directory.data, options: options())
    let destination = directory.path + "/backup.jsonl"
    let backup = try await log.backup(to: destination)
    try await log.close()
    #expect(backup.sequence == 30)

    let other = directory.path + "/other"
    try await makeLog(other, count: 5)
    #expect(throws: EventLogError.directoryNotEmpty(path: other)) {
      try EventLog<ShopEvent>.restore(from: destination, into: other, force: false)
    }
    #expect(try await replayAll(other).1 == ShopState.afterSamples(5))
    _ = try EventLog<ShopEvent>.restore(from: destination, into: other, force: true)
    #expect(try await replayAll(other).1 == ShopState.afterSamples(30))
  }

  @Test func restoreRefusesADamagedBackupAndALockedDirectory() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 10)
    let (log, _) = try openCollecting(directory.data, options: options())
    let destination = directory.path + "/backup.jsonl"
    _ = try await log.backup(to: destination)
    // The live directory is held by `log`: a forced restore into it is refused.
    #expect(throws: EventLogError.self) {
      try EventLog<ShopEvent>.restore(from: destination, into: directory.data, force: true)
    }
    try await log.close()

    var bytes = try readFile(destination)
    let lines = lineRanges(bytes)
    bytes[lines[2].lowerBound + 5] ^= 0x01
    let damaged = directory.path + "/damaged.jsonl"
    try writeFile(damaged, bytes)
    let target = directory.path + "/target"
    do {
      _ = try EventLog<ShopEvent>.restore(from: damaged, into: target, force: false)
      Issue.record("a damaged backup was restored")
    } catch let error as EventLogError {
      guard case .corruptLine(_, let line, _, _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(line == 3)
    }
    #expect(!FileManager.default.fileExists(atPath: target + "/events.jsonl"))
  }

  @Test func aBackupLeavesNothingBehindWhenItsDirectoryIsMissing() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options())
    _ = try await log.append([.sample(1)])
    await #expect(throws: EventLogError.self) {
      _ = try await log.backup(to: directory.path + "/missing/backup.jsonl")
    }
    // The log is unaffected.
    #expect(try await log.append([.sample(2)]) == 2)
    try await log.close()
  }
}
