import EventLog
import EventLogTestSupport
import Foundation
import Primitives
import Testing

struct CompactionTests {
  func options(minimum: UInt64 = 64 << 20) -> EventLogOptions<ShopEvent> {
    EventLogOptions(policy: .never, compactionMinimumBytes: minimum, compactor: ShopState.compactor)
  }

  @Test func compactedLogReplaysToTheSameState() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options())
    _ = try await log.append((1...2000).map(ShopEvent.sample))
    let sizeBefore = try readFile(directory.logFile).count
    try await log.compact()
    // Appends continue with increasing sequences after the swap.
    #expect(try await log.append([.sample(2001)]) == 2001)
    try await log.close()

    let sizeAfter = try readFile(directory.logFile).count
    #expect(sizeAfter < sizeBefore)
    let (records, state) = try await replayAll(directory.data)
    #expect(state == ShopState.afterSamples(2001))
    #expect(records.filter(\.isSnapshot).allSatisfy { $0.sequence == 2000 })
    #expect(records.last?.sequence == 2001)
    #expect(records.last?.isSnapshot == false)
    let report = try EventLogTools.verify(directory: directory.data)
    #expect(report.isHealthy)
    #expect(report.snapshotSequence == 2000)
    #expect(report.lastSequence == 2001)

    // Compacting a compacted log is stable.
    let (again, _) = try openCollecting(directory.data, options: options())
    try await again.compact()
    try await again.close()
    #expect(try await replayAll(directory.data).1 == ShopState.afterSamples(2001))
  }

  @Test func appendsDuringCompactionAreKept() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options())
    _ = try await log.append((1...3000).map(ShopEvent.sample))
    async let compaction: Void = log.compact()
    var last: UInt64 = 0
    for index in 3001...3400 { last = try await log.append([.sample(index)]) }
    try await compaction
    #expect(last == 3400)
    try await log.compact()
    try await log.close()
    let (records, state) = try await replayAll(directory.data)
    #expect(state == ShopState.afterSamples(3400))
    #expect(records.last?.sequence == 3400)
  }

  @Test func growthTriggersCompactionAutomatically() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options(minimum: 32 << 10))
    for chunk in 0..<20 {
      _ = try await log.append((1...50).map { ShopEvent.sample(chunk * 50 + $0) })
    }
    try await log.close()
    let report = try EventLogTools.verify(directory: directory.data)
    #expect(report.snapshotSequence > 0)
    #expect(report.lastSequence == 1000)
    #expect(try await replayAll(directory.data).1 == ShopState.afterSamples(1000))
  }

  @Test func withoutACompactorCompactIsAnError() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data)
    await #expect(throws: EventLogError.noCompactor) { try await log.compact() }
    try await log.close()
  }

  @Test func aLeftoverCompactionFileIsRemovedAtOpen() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 5)
    try writeFile(directory.logFile + ".compacting", Array("{\"format\":\"storefr".utf8))
    let warnings = Warnings()
    let (records, _) = try await replayAll(directory.data, warnings: warnings)
    #expect(records.count == 5)
    #expect(warnings.messages.count == 1)
    #expect(!FileManager.default.fileExists(atPath: directory.logFile + ".compacting"))
  }

  @Test func aFailingAutomaticCompactionWarnsAndBacksOff() async throws {
    final class Collected: Sendable {
      let messages = Locked<[String]>([])
    }
    let collected = Collected()
    let failing = LogCompactor<ShopEvent>(
      makeState: { 0 },
      apply: { _, _ in throw ShopEvent.ShapeError(description: "boom") },
      snapshot: { _ in [] })
    let options = EventLogOptions<ShopEvent>(
      policy: .never, compactionMinimumBytes: 16 << 10, compactor: failing,
      backgroundWarning: { message in collected.messages.withLock { $0.append(message) } })
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: options)
    for chunk in 0..<20 {
      _ = try await log.append((1...50).map { ShopEvent.sample(chunk * 50 + $0) })
    }
    try await log.close()
    let messages = collected.messages.withLock { $0 }
    // The file grows from 16 KiB to ~350 KiB: a retry only after each doubling.
    #expect((1...6).contains(messages.count))
    #expect(messages.allSatisfy { $0.contains("compaction failed") && $0.contains("boom") })
    #expect(try EventLogTools.verify(directory: directory.data).snapshotSequence == 0)
    #expect(try await replayAll(directory.data).1 == ShopState.afterSamples(1000))
  }
}
