import FaultInjection
import Foundation
import HTTPTestSupport
import JSON
import Testing

/// `Idempotency-Key` against `storefront serve` as a real process: a retry after kill -9, a
/// retry while the first request is still unacknowledged (its log sync held by the fault shim),
/// and a 5xx that is not stored.
@Suite("API: Idempotency-Key across kill -9, in progress, and 5xx (storefront serve)")
struct APIIdempotencyProcessTests {
  static let body = #"{"items": [{"product": 1, "variant": 1, "quantity": 2}]}"#

  /// A data directory with an admin (made by `createsuperuser`) and a scratch work directory.
  static func directories() async throws -> (data: APIDataDirectory, work: APIDataDirectory) {
    let data = try APIDataDirectory()
    let work = try APIDataDirectory()
    let created = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password", "--data-dir", data.path,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    return (data, work)
  }

  /// Category 1, product 1 with variant 1 (stock 10), and a user's token.
  static func seed(_ client: APIClient) async throws -> APIUser {
    let admin = APIUser(
      id: 1, username: "admin", password: "admin-password",
      token: try await client.login("admin", "admin-password"))
    _ = try await client.category("Mugs", admin: admin)
    _ = try await client.product(
      #"{"name": "Mug", "price": 5, "category": 1, "variants": [{"size": "S", "stock": 10}]}"#,
      admin: admin)
    return try await client.user("buyer")
  }

  static func post(
    _ client: APIClient, key: String, body: String = body, token: String
  ) async throws -> APIResponse {
    try await client.request(
      "POST", "/orders/", token: token, body: .json(body), headers: [("Idempotency-Key", key)])
  }

  /// Runs `body` against a server, killing it (SIGKILL) if `body` throws.
  static func with<T>(
    _ server: APIServeProcess, _ body: (APIClient) async throws -> T
  ) async throws -> T {
    do {
      return try await body(APIClient(port: server.port))
    } catch {
      try? await ClientThreads.one { try server.killHard() }
      throw error
    }
  }

  @Test("a retry after kill -9 gets the original body; the stock was taken once")
  func retryAfterKill() async throws {
    let (data, work) = try await Self.directories()
    let (dataPath, workPath) = (data.path, work.path)
    let first = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath)
    }
    let (user, original) = try await Self.with(first) { client in
      let user = try await Self.seed(client)
      let original = try await Self.post(client, key: "retry-me", token: user.token)
      #expect(original.status == 201, "\(original)")
      return (user, original)
    }
    try await ClientThreads.one { try first.killHard() }

    let second = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath)
    }
    try await Self.with(second) { client in
      let retry = try await Self.post(client, key: "retry-me", token: user.token)
      #expect(retry.status == 201, "\(retry)")
      #expect(retry.body == original.body)
      #expect(retry.headers["idempotent-replayed"] == "true")
      #expect(try await client.stock(ofVariant: 1) == 8)
      #expect(try await client.get("/orders/", token: user.token).json.jsonArray?.count == 1)
    }
    let status = try await ClientThreads.one { try second.terminate() }
    #expect(status == 0, "\(second.standardError)")
  }

  @Test("while the first request is unacknowledged: 409 for the same body, 422 for another")
  func inProgress() async throws {
    let (data, work) = try await Self.directories()
    let (dataPath, workPath) = (data.path, work.path)
    let hold = workPath + "/hold-syncs"
    let environment = try FaultPlan(failing: [:], holdFile: hold).environment()
    let server = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath, environment: environment)
    }
    try await Self.with(server) { client in
      let user = try await Self.seed(client)
      #expect(FileManager.default.createFile(atPath: hold, contents: nil))
      let token = user.token
      let first = Task { try await Self.post(client, key: "slow", token: token) }
      do {
        // Its line is written; its sync waits for the hold file to go.
        try await waitUntil("the first request's record is written") {
          let log = (try? String(contentsOfFile: dataPath + "/events.jsonl", encoding: .utf8)) ?? ""
          return log.contains(#""key":"slow""#)
        }
        expectDetail(
          try await Self.post(client, key: "slow", token: token), 409,
          "A request with this Idempotency-Key is in progress.")
        expectDetail(
          try await Self.post(
            client, key: "slow", body: #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#,
            token: token), 422,
          "Idempotency-Key was already used with a different request body.")
      } catch {
        try? FileManager.default.removeItem(atPath: hold)
        _ = try? await first.value
        throw error
      }
      try FileManager.default.removeItem(atPath: hold)
      let original = try await first.value
      #expect(original.status == 201, "\(original)")
      #expect(original.headers["idempotent-replayed"] == nil)
      let retry = try await Self.post(client, key: "slow", token: token)
      #expect(retry.status == 201 && retry.body == original.body, "\(retry)")
      #expect(retry.headers["idempotent-replayed"] == "true")
      #expect(try await client.stock(ofVariant: 1) == 8)
    }
    let status = try await ClientThreads.one { try server.terminate() }
    #expect(status == 0, "\(server.standardError)")
  }

  @Test("a 503 (the log write failed) is not stored: the retry after a restart runs once")
  func serverErrorNotStored() async throws {
    let (data, work) = try await Self.directories()
    let (dataPath, workPath) = (data.path, work.path)
    let arm = workPath + "/arm"
    let environment = try FaultPlan(failing: [.write: "1+"], armFile: arm).environment()
    let failing = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath, environment: environment)
    }
    let user = try await Self.with(failing) { client in
      let user = try await Self.seed(client)
      #expect(FileManager.default.createFile(atPath: arm, contents: nil))
      let refused = try await Self.post(client, key: "unlucky", token: user.token)
      #expect(refused.status == 503, "\(refused)")
      #expect(refused.headers["idempotent-replayed"] == nil)
      // Not stored, not in progress: the retry runs again (and fails again here).
      let again = try await Self.post(client, key: "unlucky", token: user.token)
      #expect(again.status == 503 && again.headers["idempotent-replayed"] == nil, "\(again)")
      return user
    }
    try await ClientThreads.one { try failing.killHard() }
    try FileManager.default.removeItem(atPath: arm)

    let healthy = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath)
    }
    try await Self.with(healthy) { client in
      let retry = try await Self.post(client, key: "unlucky", token: user.token)
      #expect(retry.status == 201 && retry.headers["idempotent-replayed"] == nil, "\(retry)")
      let replay = try await Self.post(client, key: "unlucky", token: user.token)
      #expect(replay.body == retry.body && replay.headers["idempotent-replayed"] == "true")
      #expect(try await client.stock(ofVariant: 1) == 8)
    }
    let status = try await ClientThreads.one { try healthy.terminate() }
    #expect(status == 0, "\(healthy.standardError)")
  }
}
