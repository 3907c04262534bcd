import EventLog
import EventLogTestSupport
import FaultInjection
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Real write and sync failures, injected into a child process by the LD_PRELOAD shim
/// (Tests/FaultInjection/faultshim.c): after any of them the file holds exactly what was
/// acknowledged, and when the file cannot even be cut back, the process stops.
///
/// The child (`faults` mode) writes the header (write 1, fdatasync 1), then 5 appends one by
/// one (writes 2-6; under `always` and `batch` also fdatasyncs 2-6), then 60 appends started a
/// millisecond apart, so that failures at call 8 hit the middle of that burst.
struct WriteFailureTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var policy: String
    var failing: [FaultPlan.Call: String]
    var errno: FaultPlan.Code = .eio
    /// The start of the reason the log gives.
    var operation: String

    var testDescription: String {
      let calls = failing.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
      return "\(policy): \(calls) \(errno.rawValue)"
    }
  }

  static let stoppingCases: [Case] = [
    Case(policy: "always", failing: [.write: "8"], operation: "writing"),
    Case(policy: "always", failing: [.write: "8"], errno: .enospc, operation: "writing"),
    Case(policy: "batch", failing: [.write: "10"], operation: "writing"),
    Case(policy: "batch", failing: [.write: "10"], errno: .enospc, operation: "writing"),
    Case(policy: "never", failing: [.write: "8"], operation: "writing"),
    Case(policy: "never", failing: [.write: "8"], errno: .enospc, operation: "writing"),
    Case(policy: "always", failing: [.fdatasync: "8"], operation: "fdatasync of"),
    Case(policy: "always", failing: [.fdatasync: "8"], errno: .enospc, operation: "fdatasync of"),
    Case(policy: "batch", failing: [.fdatasync: "8"], operation: "fdatasync of"),
  ]

  /// What a `faults` child printed.
  struct Outcome {
    var lines: [String]
    var status: Int32
    /// Append index -> acknowledged sequence.
    var acknowledged: [Int: UInt64] = [:]
    var failed: [Int: String] = [:]

    init(lines: [String], status: Int32) {
      self.lines = lines
      self.status = status
      for line in lines {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, let index = Int(parts[1]) else { continue }
        if parts[0] == "ack" { acknowledged[index] = UInt64(parts[2]) }
        if parts[0] == "fail" { failed[index] = parts[2] }
      }
    }

    func line(_ prefix: String) -> String? {
      lines.first { $0.hasPrefix(prefix + " ") }.map { String($0.dropFirst(prefix.count + 1)) }
    }
  }

  static func runFaults(_ directory: TemporaryDirectory, _ testCase: Case) throws -> Outcome {
    let plan = FaultPlan(failing: testCase.failing, errno: testCase.errno)
    let child = try ChildProcess(
      ["faults", directory.data, testCase.policy, "5", "60"], environment: try plan.environment())
    let lines = child.remainingLines()
    return Outcome(lines: lines, status: child.waitForExit())
  }

  /// Append index -> (event count, last sequence) as replayed from the file.
  static func replayedAppends(_ records: [LogRecord<ShopEvent>]) -> [Int: (Int, UInt64)] {
    var appends: [Int: (Int, UInt64)] = [:]
    for record in records {
      guard case .orderPlaced(let order) = record.event else { continue }
      let entry = appends[order.id / 10] ?? (0, 0)
      appends[order.id / 10] = (entry.0 + 1, max(entry.1, record.sequence))
    }
    return appends
  }

  @Test(arguments: stoppingCases)
  func aFailureCutsTheLogBackToWhatWasAcknowledged(_ testCase: Case) async throws {
    let directory = TemporaryDirectory()
    let outcome = try Self.runFaults(directory, testCase)
    let context = Comment(rawValue: outcome.lines.suffix(4).joined(separator: "\n"))
    #expect(outcome.status == 0, context)
    #expect(outcome.lines.last == "done", context)
    let reason = "\(testCase.operation) \(directory.logFile) failed: \(testCase.errno.text)"

    // Loud: one critical-worthy message naming the error and the cut.
    let stopped = outcome.lines.filter { $0.hasPrefix("stopped ") }
    #expect(stopped.count == 1, context)
    #expect(stopped.first?.contains("event log writes stopped: \(reason).") == true, context)
    #expect(stopped.first?.contains("was cut back to byte") == true, context)
    #expect(
      outcome.line("failure")?.contains("refuses writes after an earlier failure (\(reason))")
        == true)

    // Every append was answered once; the first 5 were acknowledged, some of the burst failed,
    // each with `writesStopped`.
    #expect(Set(outcome.acknowledged.keys).isDisjoint(with: outcome.failed.keys))
    #expect(Set(outcome.acknowledged.keys).union(outcome.failed.keys) == Set(1...65))
    #expect(Set(1...5).isSubset(of: outcome.acknowledged.keys))
    #expect(!outcome.failed.isEmpty)
    for (index, text) in outcome.failed {
      #expect(text.hasPrefix("true the event log refuses writes"), "append \(index): \(text)")
    }

    // The file holds exactly the acknowledged appends, whole, at the acknowledged sequences.
    let warnings = Warnings()
    let (log, records) = try openCollecting(directory.data, warnings: warnings)
    #expect(warnings.messages.isEmpty)
    #expect(records.map(\.sequence) == Array(1...UInt64(records.count)))
    let replayed = Self.replayedAppends(records)
    #expect(Set(replayed.keys) == Set(outcome.acknowledged.keys))
    for (index, sequence) in outcome.acknowledged {
      #expect(replayed[index]?.0 == index % 3 + 1, "append \(index) is not whole")
      #expect(replayed[index]?.1 == sequence, "append \(index)")
    }
    // Sequences go on from the last acknowledged one.
    let next = try await log.append([ShopEvent.order(9999)])
    #expect(next == UInt64(records.count) + 1)
    try await log.close()
    #expect(try EventLogTools.verify(directory: directory.data).isHealthy)
  }

  static let unrecoverableCases: [Case] = [
    Case(policy: "always", failing: [.fdatasync: "8", .ftruncate: "1"], operation: "truncating"),
    Case(policy: "always", failing: [.fdatasync: "8,9"], operation: "fdatasync of"),
    Case(policy: "always", failing: [.write: "8", .ftruncate: "1"], operation: "truncating"),
    Case(policy: "batch", failing: [.fdatasync: "8+", .ftruncate: "1"], operation: "truncating"),
  ]

  /// When the cut (or its sync) fails too, the child must not go on: the default hook exits
  /// with status 70 before answering the failed appends. Replay then decides; it never loses an
  /// acknowledged append, and holds only whole appends that were really made.
  @Test(arguments: unrecoverableCases)
  func aFailedCutStopsTheProcess(_ testCase: Case) async throws {
    let directory = TemporaryDirectory()
    let outcome = try Self.runFaults(directory, testCase)
    let context = Comment(rawValue: outcome.lines.suffix(4).joined(separator: "\n"))
    #expect(outcome.status & 0x7F == 0 && (outcome.status >> 8) & 0xFF == 70, context)
    #expect(!outcome.lines.contains("done"), context)
    #expect(!outcome.lines.contains { $0.hasPrefix("stopped ") }, context)
    let message = try #require(outcome.line("unrecoverable"), context)
    #expect(message.hasPrefix("event log writes stopped: "))
    #expect(message.contains("then \(testCase.operation) \(directory.logFile)"))
    #expect(message.contains(testCase.errno.text))
    #expect(message.contains("The process must stop"))
    // The appends of the failed batch were never answered.
    #expect(outcome.failed.isEmpty)
    #expect(outcome.acknowledged.count < 65)

    let (records, _) = try await replayAll(directory.data)
    #expect(records.map(\.sequence) == Array(1...UInt64(records.count)))
    let replayed = Self.replayedAppends(records)
    for (index, sequence) in outcome.acknowledged {
      #expect(replayed[index]?.1 == sequence, "acknowledged append \(index) lost")
    }
    for (index, entry) in replayed {
      #expect((1...65).contains(index))
      #expect(entry.0 == index % 3 + 1, "append \(index) is not whole")
    }
  }

  /// The directory sync after a compaction's rename fails: writes stop, the compaction reports
  /// it, and the new file holds exactly what was acknowledged.
  @Test func aFailedDirectorySyncAfterCompactionStopsWrites() async throws {
    let directory = TemporaryDirectory()
    // fsync 1 of the data directory is for the new log file, 2 is the compaction's.
    let plan = FaultPlan(failing: [.fsync: "2"], pathSuffix: "/data")
    let child = try ChildProcess(
      ["compact-faults", directory.data], environment: try plan.environment())
    let outcome = Outcome(lines: child.remainingLines(), status: child.waitForExit())
    let context = Comment(rawValue: outcome.lines.suffix(4).joined(separator: "\n"))
    #expect(outcome.status == 0, context)
    let compact = try #require(outcome.line("compact"), context)
    #expect(compact.contains("refuses writes"), context)
    #expect(compact.contains("syncing directory \(directory.data)"), context)
    #expect(outcome.lines.contains { $0.hasPrefix("stopped ") }, context)

    let (records, _) = try await replayAll(directory.data)
    #expect(records.contains { $0.isSnapshot })
    let acknowledgedOrders = Set(outcome.acknowledged.keys.filter { $0 > 0 })
    #expect(!acknowledgedOrders.isEmpty)
    #expect(!outcome.failed.isEmpty)
    let replayedOrders = records.compactMap { record -> Int? in
      guard case .orderPlaced(let order) = record.event, order.id > 100_000 else { return nil }
      return order.id - 100_000
    }
    #expect(Set(replayedOrders) == acknowledgedOrders)
    #expect(records.last?.sequence == outcome.acknowledged.values.max())
  }

  /// Creating the data directory syncs its parent: failing that fsync fails the open.
  @Test func creatingTheDirectorySyncsItsParent() throws {
    let directory = TemporaryDirectory()
    let parent = String(directory.path.split(separator: "/").last!)
    let plan = FaultPlan(failing: [.fsync: "1"], pathSuffix: "/" + parent)
    let child = try ChildProcess(["open", directory.data], environment: try plan.environment())
    let lines = child.remainingLines()
    child.waitForExit()
    #expect(
      lines == [
        "error cannot create data directory \(directory.data): syncing directory "
          + "\(directory.path) failed: Input/output error"
      ])
  }
}
