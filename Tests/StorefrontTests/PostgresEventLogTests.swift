import EventLog
import Foundation
import HTTPTestSupport
import Primitives
import StorefrontCore
import Testing

@testable import Storefront

/// `PostgresEventLog` itself: two logs in one process stand for two nodes on one database.
@Suite(
  "PostgreSQL log: group commit, tailing, stale appends, replay", .serialized,
  .enabled(if: PostgresCluster.available || ExternalTool.inCI, "\(PostgresCluster.missing)"),
  .timeLimit(.minutes(3)))
struct PostgresEventLogTests {
  /// The events one log's `applyForeign` received, in order.
  final class Received: Sendable {
    let events = Locked<[(UInt64, String)]>([])
    func add(_ records: [LogRecord<ShopEvent>]) {
      events.withLock { list in
        for record in records {
          if case .categoryCreated(let category) = record.event {
            list.append((record.sequence, category.name))
          }
        }
      }
    }
    var names: [String] { events.withLock { $0.map(\.1) } }
  }

  static func category(_ id: Int, _ name: String) -> ShopEvent {
    .categoryCreated(Category(id: id, name: name))
  }

  static func open(
    _ url: String, node: String, directory: String, received: Received
  ) throws -> (PostgresEventLog<ShopEvent>, [String]) {
    var replayed: [String] = []
    let log = try PostgresEventLog<ShopEvent>.open(
      directory: directory, options: PostgresLogOptions(url: url, node: node)
    ) { record in
      if case .categoryCreated(let category) = record.event { replayed.append(category.name) }
    }
    log.start { records in received.add(records) }
    return (log, replayed)
  }

  @Test(
    "appends of two nodes share one gap-free sequence; a stale append is refused; replay sees all")
  func twoNodes() async throws {
    let cluster = try await ClientThreads.one { try PostgresCluster() }
    defer { cluster.destroy() }
    let url = try await ClientThreads.one { try cluster.createDatabase("log") }
    let work = try APIDataDirectory()
    let seenByA = Received()
    let seenByB = Received()
    let (a, _) = try Self.open(url, node: "a", directory: work.path + "/a", received: seenByA)
    let (b, _) = try Self.open(url, node: "b", directory: work.path + "/b", received: seenByB)

    // What b has applied before a writes anything.
    let positionBefore = b.foreignPosition
    // Concurrent appends on one node: one sequence, each acknowledged once with its own.
    let acknowledged = try await withThrowingTaskGroup(of: (UInt64, String).self) { group in
      for index in 1...20 {
        group.addTask { (try await a.append([Self.category(index, "a\(index)")]), "a\(index)") }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(acknowledged.map(\.0).sorted() == Array(1...20))
    let inSequence = acknowledged.sorted { $0.0 < $1.0 }.map(\.1)

    // Node b applies them (notified, or on its next look) and only then may write on top.
    let deadline = Date().addingTimeInterval(20)
    while seenByB.names.count < 20 && Date() < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    #expect(seenByB.names == inSequence)
    #expect(seenByB.events.withLock { $0.map(\.0) } == Array(1...20))
    #expect(b.foreignPosition > positionBefore)
    // Validated before those events: refused, nothing written.
    await #expect(throws: LogConflict.self) {
      try await b.append([Self.category(21, "stale")], validatedAt: positionBefore)
    }
    // Node a has applied nothing foreign yet (it wrote 1...20 itself).
    let positionOfA = a.foreignPosition
    let fresh = try await b.append([Self.category(21, "b21")], validatedAt: b.foreignPosition)
    #expect(fresh == 21)
    // An append of a validated before b21 is refused once b21 is applied there.
    await a.catchUp()
    #expect(seenByA.names == ["b21"])
    await #expect(throws: LogConflict.self) {
      try await a.append([Self.category(22, "late")], validatedAt: positionOfA)
    }
    #expect(try await a.append([Self.category(22, "a22")]) == 22)

    try await a.close()
    try await b.close()
    // A new node replays everything in sequence order.
    let (c, replayed) = try Self.open(
      url, node: "c", directory: work.path + "/c", received: Received())
    #expect(replayed == inSequence + ["b21", "a22"])
    let rows = try await ClientThreads.one {
      try cluster.psql("log", "SELECT count(*), min(seq), max(seq) FROM storefront_events")
    }
    #expect(rows.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "22|1|22")
    try await c.close()
  }

  @Test("a node writes a snapshot by itself as the log grows; a new node starts from it")
  func automaticSnapshot() async throws {
    let cluster = try await ClientThreads.one { try PostgresCluster() }
    defer { cluster.destroy() }
    let url = try await ClientThreads.one { try cluster.createDatabase("log") }
    let work = try APIDataDirectory()
    var options = PostgresLogOptions<ShopEvent>(
      url: url, node: "a",
      compactor: LogCompactor(
        makeState: { ShopState() }, apply: { state, record in state.apply(record.event) },
        snapshot: { $0.snapshotEvents() }))
    options.snapshotEveryEvents = 10
    let log = try PostgresEventLog<ShopEvent>.open(
      directory: work.path + "/a", options: options, replay: { _ in })
    log.start { _ in }
    for index in 1...25 { _ = try await log.append([Self.category(index, "c\(index)")]) }
    var snapshot = 0
    let deadline = Date().addingTimeInterval(20)
    while snapshot < 10 && Date() < deadline {
      let result = try await ClientThreads.one {
        try cluster.psql("log", "SELECT coalesce(max(seq), 0) FROM storefront_snapshots")
      }
      snapshot = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
      try await Task.sleep(for: .milliseconds(50))
    }
    #expect(snapshot >= 10)
    try await log.close()
    // Without the events the snapshot covers, a new node still has every category.
    let covered = snapshot
    let deleted = try await ClientThreads.one {
      try cluster.psql("log", "DELETE FROM storefront_events WHERE seq <= \(covered)")
    }
    #expect(deleted.status == 0)
    var state = ShopState()
    let reopened = try PostgresEventLog<ShopEvent>.open(
      directory: work.path + "/b", options: PostgresLogOptions(url: url, node: "b")
    ) { state.apply($0.event) }
    #expect(state.catalog.categories.count == 25)
    try await reopened.close()
  }
}
