import EventLog
import Foundation
import HTTPTestSupport
import JSON
import StorefrontCore
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `storefront createsuperuser`, `log compact` and `backup` against a running server (through
/// its control socket) and a stopped one (opening the directory), and `storefront restore`.
@Suite("Operations: admin commands, backups and restores", .serialized)
struct OperationsControlTests {
  /// What the three commands printed, with what differs between two directories (paths, byte
  /// counts) left out.
  struct Transcript: Equatable, CustomStringConvertible {
    var lines: [String]
    var description: String { lines.joined(separator: "\n") }
  }

  static func normalized(_ result: StorefrontResult, _ replacements: [(String, String)]) -> String {
    var text = "\(result.status)|\(result.standardOutput)|\(result.standardError)"
    for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
    return text.replacing(try! Regex(#"\d+ bytes"#), with: "N bytes")
  }

  /// The commands an operator runs, in order, against `data`.
  static func session(data: String, backup: String) async throws -> Transcript {
    func run(_ arguments: [String]) async throws -> String {
      normalized(
        try await runStorefront(arguments + ["--data-dir", data]),
        [(backup, "BACKUP"), (data, "DATA")])
    }
    return Transcript(lines: [
      try await run([
        "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
        "admin-password-1",
      ]),
      // A duplicate, and an invalid email: exit 1, the same messages.
      try await run([
        "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
        "admin-password-1",
      ]),
      try await run([
        "createsuperuser", "--username", "other", "--email", "not-an-email", "--password",
        "admin-password-1",
      ]),
      try await run(["log", "compact"]),
      try await run(["backup", "--to", backup]),
      // Never into the data directory itself.
      try await run(["backup", "--to", data + "/events.jsonl"]),
    ])
  }

  @Test("createsuperuser, log compact and backup print and exit the same with a server and without")
  func sameWithAndWithoutAServer() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let live = path + "/live"
    let server = try await ClientThreads.one {
      try APIServeProcess(dataDir: live, workDirectory: path)
    }
    defer { try? server.killHard() }
    var socket = stat()
    #expect(lstat(live + "/control.sock", &socket) == 0)
    #expect(socket.st_mode & S_IFMT == S_IFSOCK)
    #expect(socket.st_mode & 0o777 == 0o600)
    let withServer = try await Self.session(data: live, backup: path + "/live-backup.jsonl")
    // The server did the work: its admin logs in at once, and it is still serving.
    let client = APIClient(port: server.port)
    _ = try await client.login("admin", "admin-password-1")
    #expect(server.child.hasExited == false)
    #expect(try server.terminate() == 0)
    #expect(!FileManager.default.fileExists(atPath: live + "/control.sock"))

    let stopped = path + "/stopped"
    let withoutServer = try await Self.session(
      data: stopped, backup: path + "/stopped-backup.jsonl")
    #expect(withServer == withoutServer)
    #expect(withServer.lines[0] == "0|Superuser \"admin\" created (id 1).\n|")
    #expect(withServer.lines[1].hasPrefix("1||createsuperuser: "), "\(withServer)")
    #expect(withServer.lines[2].hasPrefix("1||createsuperuser: {\"email\""), "\(withServer)")
    #expect(withServer.lines[3] == "0|compacted: N bytes, last sequence 1\n|")
    #expect(
      withServer.lines[4] == "0|backup: wrote BACKUP at sequence 1 (2 records, N bytes)\n|")
    #expect(
      withServer.lines[5].hasPrefix("1||backup: DATA/events.jsonl is inside the data directory"))
    // Both backups restore to a directory with the admin in it.
    for backup in ["live-backup.jsonl", "stopped-backup.jsonl"] {
      let restored = path + "/restored-\(backup)"
      let result = try await runStorefront([
        "restore", "--from", path + "/" + backup, "--data-dir", restored,
      ])
      #expect(result.status == 0, "\(result.standardError)")
      #expect(
        result.standardOutput
          == "restored \(path)/\(backup) into \(restored): last sequence 1 (2 records)\n")
      let state = try await Self.state(of: restored)
      #expect(state.state.auth.users.values.map(\.username) == ["admin"])
    }
  }

  @Test("a backup taken under write load restores to exactly the state at its sequence")
  func backupUnderLoad() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let data = path + "/data"
    let server = try await ClientThreads.one {
      try APIServeProcess(dataDir: data, workDirectory: path)
    }
    defer { try? server.killHard() }
    let created = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password-1", "--data-dir", data,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    let client = APIClient(port: server.port)
    let token = try await client.login("admin", "admin-password-1")
    let admin = APIUser(id: 1, username: "admin", password: "admin-password-1", token: token)
    _ = try await client.category("Load", admin: admin)
    _ = try await client.product(
      #"{"name": "Mug", "price": 9.5, "category": 1, "variants": [{"size": "one", "color": "red", "stock": 100000}]}"#,
      admin: admin)
    var buyers: [APIUser] = []
    for index in 0..<4 { buyers.append(try await client.user("buyer\(index)")) }

    // Buyers order continuously until told to stop; the backup runs in the middle.
    let progress = LoadProgress()
    let port = server.port
    let tokens = buyers.map(\.token)
    let load = Task {
      try await ClientThreads.run(4) { index in
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        let body = Array(#"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#.utf8)
        while !progress.stop.load(ordering: .relaxed) {
          let response = try connection.request(
            "POST", "/api/orders/",
            headers: [
              ("Authorization", "Token \(tokens[index])"), ("Content-Type", "application/json"),
            ], body: body)
          #expect(response.status == 201)
          progress.placed.add(1, ordering: .relaxed)
        }
      }
    }
    func waitForOrders(_ count: Int) async throws {
      let deadline = ContinuousClock.now + .seconds(60)
      while progress.placed.load(ordering: .relaxed) < count, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      try #require(progress.placed.load(ordering: .relaxed) >= count)
    }
    try await waitForOrders(30)
    let backupFile = path + "/backup.jsonl"
    let backup = try await runStorefront(["backup", "--to", backupFile, "--data-dir", data])
    let afterBackup = progress.placed.load(ordering: .relaxed)
    try await waitForOrders(afterBackup + 30)
    progress.stop.store(true, ordering: .relaxed)
    try await load.value
    #expect(backup.status == 0, "\(backup.standardError)")
    let pattern = try Regex(#"at sequence (\d+) "#)
    let match = try #require(
      backup.standardOutput.firstMatch(of: pattern), "\(backup.standardOutput)")
    let sequence = try #require(UInt64(match.output[1].substring!))
    #expect(try server.terminate() == 0)

    // What the live log held through that sequence, replayed; and the restored backup.
    let full = try await Self.state(of: data)
    #expect(full.last > sequence, "the load went on after the backup")
    let prefix = path + "/prefix"
    try Self.copyLog(of: data, through: sequence, into: prefix)
    let expected = try await Self.state(of: prefix)
    #expect(expected.last == sequence)
    let restored = path + "/restored"
    let restore = try await runStorefront([
      "restore", "--from", backupFile, "--data-dir", restored,
    ])
    #expect(restore.status == 0, "\(restore.standardError)")
    let actual = try await Self.state(of: restored)
    #expect(actual.last == sequence)
    #expect(actual.state == expected.state)
    let orders = actual.state.orders.sortedOrders(ofUser: nil).count
    #expect(orders >= 30 && orders < full.state.orders.sortedOrders(ofUser: nil).count)

    // Served, the restored directory and the prefix show the same catalog, and the restored
    // one goes on numbering after the backup.
    var bodies: [String] = []
    for directory in [restored, prefix] {
      let copy = try await ClientThreads.one {
        try APIServeProcess(dataDir: directory, workDirectory: path)
      }
      bodies.append(try await APIClient(port: copy.port).get("/products/").text)
      if directory == restored {
        let buyer = try await APIClient(port: copy.port).login("buyer0")
        let order = try await APIClient(port: copy.port).order(
          #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#,
          user: APIUser(id: 0, username: "buyer0", password: "password-123", token: buyer))
        #expect(order["id"]?.intValue == orders + 1)
      }
      #expect(try copy.terminate() == 0)
    }
    #expect(bodies[0] == bodies[1])
  }

  @Test("restore refuses a non-empty directory unless --force, and a directory a server holds")
  func restoreRefusals() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let data = path + "/data"
    _ = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password-1", "--data-dir", data,
    ])
    let backupFile = path + "/backup.jsonl"
    #expect(
      try await runStorefront(["backup", "--to", backupFile, "--data-dir", data]).status == 0)
    let other = path + "/other"
    try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
    #expect(
      FileManager.default.createFile(atPath: other + "/notes.txt", contents: Data("keep".utf8)))
    let refused = try await runStorefront([
      "restore", "--from", backupFile, "--data-dir", other,
    ])
    #expect(refused.status == 1)
    #expect(
      refused.standardError
        == "restore: \(other) is not empty; pass --force to replace the event log in it\n")
    #expect(!FileManager.default.fileExists(atPath: other + "/events.jsonl"))
    let forced = try await runStorefront([
      "restore", "--from", backupFile, "--data-dir", other, "--force",
    ])
    #expect(forced.status == 0, "\(forced.standardError)")
    #expect(FileManager.default.contents(atPath: other + "/notes.txt") == Data("keep".utf8))

    let server = try await ClientThreads.one {
      try APIServeProcess(dataDir: other, workDirectory: path)
    }
    defer { try? server.killHard() }
    let held = try await runStorefront([
      "restore", "--from", backupFile, "--data-dir", other, "--force",
    ])
    #expect(held.status == 1)
    #expect(held.standardError.contains("is in use by process"), "\(held.standardError)")
    let damaged = path + "/damaged.jsonl"
    var bytes = try #require(FileManager.default.contents(atPath: backupFile))
    bytes[bytes.count - 20] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: damaged))
    let bad = try await runStorefront([
      "restore", "--from", damaged, "--data-dir", path + "/fresh",
    ])
    #expect(bad.status == 1)
    #expect(bad.standardError.contains("is corrupt"), "\(bad.standardError)")
    #expect(try server.terminate() == 0)
  }

  /// The load's orders so far, and its stop flag.
  final class LoadProgress: Sendable {
    let stop = Atomic<Bool>(false)
    let placed = Atomic<Int>(0)
  }

  // MARK: Logs read directly

  /// The state a data directory's log replays to, and its last sequence.
  static func state(of directory: String) async throws -> (state: ShopState, last: UInt64) {
    var state = ShopState()
    var last: UInt64 = 0
    let log = try EventLog<ShopEvent>.open(
      directory: directory, options: EventLogOptions(policy: .never)
    ) { record in
      state.apply(record.event)
      last = record.sequence
    }
    try await log.close()
    return (state, last)
  }

  /// Writes the header and every line of `directory`'s log with a sequence up to `sequence`
  /// into a new data directory.
  static func copyLog(of directory: String, through sequence: UInt64, into target: String) throws {
    let text = try String(contentsOfFile: directory + "/events.jsonl", encoding: .utf8)
    var kept: [Substring] = []
    for (index, line) in text.split(separator: "\n").enumerated() {
      if index == 0 {
        kept.append(line)
        continue
      }
      let seq = try #require(try JSONParser.parse(String(line))["seq"]?.intValue)
      if UInt64(seq) <= sequence { kept.append(line) }
    }
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    try (kept.joined(separator: "\n") + "\n").write(
      toFile: target + "/events.jsonl", atomically: true, encoding: .utf8)
  }
}
