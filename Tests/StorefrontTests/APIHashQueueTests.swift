import Foundation
import HTTPTestSupport
import JSON
import StorefrontCore
import Synchronization
import Testing

/// The password-hash queue over HTTP: bounded (`auth.max_pending_hashes`, 503 when full) and
/// rid of the hashes of clients that went away.
@Suite("Password-hash queue over HTTP")
struct APIHashQueueTests {
  static let busyBody = #"{"detail":"Too many logins in progress; try again shortly."}"#

  @Test("A login flood against a full hash queue gets 503 while catalog reads stay fast")
  func loginFloodGets503() async throws {
    try await withAPIServer(adjust: {
      // Slow enough that 200 logins overflow the queue; fast enough that the admitted ones
      // finish within the clients' timeout under a sanitizer.
      $0.auth.pbkdf2Iterations = 50_000
      $0.auth.hashThreads = 1
      $0.auth.maxPendingHashes = 4
    }) { server in
      let pool = server.app.shop.auth.hashingPool
      let password = "flood-password"
      _ = try await server.app.shop.auth.register(
        .object([
          "username": .string("flooder"), "email": .string("flooder@example.com"),
          "password": .string(password),
        ]))
      let body = APIBody.json(#"{"username": "flooder", "password": "\#(password)"}"#)
      let flood = Task {
        try await server.client.concurrently(200) { _ in
          APIClient.Call(method: "POST", path: "/users/login/", token: nil, body: body)
        }
      }
      try await waitUntil("the hash queue refuses a login") { pool.rejectedJobs > 0 }
      // The queue is full now; anonymous catalog reads do not wait for it.
      let started = ContinuousClock.now
      for _ in 0..<20 {
        let response = try await server.client.get("/products/")
        #expect(response.status == 200, "\(response)")
      }
      #expect(ContinuousClock.now - started < .seconds(10))
      let responses = try await flood.value
      #expect(responses.count == 200)
      let refused = responses.filter { $0.status == 503 }
      let admitted = responses.filter { $0.status == 200 }
      #expect(!refused.isEmpty)
      #expect(refused.count + admitted.count == 200, "\(responses.map(\.status))")
      for response in refused {
        #expect(response.text == Self.busyBody)
        #expect(response.headers["retry-after"] == "1")
        #expect(response.headers["content-type"] == "application/json")
      }
      #expect(refused.count == pool.rejectedJobs)
      // Only admitted logins issued tokens.
      let state = await server.app.shop.auth.currentState
      #expect(state.tokens.count == admitted.count)
      #expect(state.users.count == 1)
    }
  }

  @Test("Register is refused with the same 503 when the queue is full, and nothing is kept")
  func registerGets503() async throws {
    try await withAPIServer(adjust: {
      $0.auth.hashThreads = 1
      $0.auth.maxPendingHashes = 1
    }) { server in
      let pool = server.app.shop.auth.hashingPool
      let blocker = try await PoolBlocker(pool)
      let port = server.port
      let waiting = Task {
        try await ClientThreads.one {
          let connection = try TestConnection(port: port)
          defer { connection.close() }
          return try connection.request(
            "POST", "/api/users/register/", headers: [("Content-Type", "application/json")],
            body: Array(
              #"{"username": "first", "email": "f@example.com", "password": "password-123"}"#.utf8))
        }
      }
      try await waitUntil("one registration waits") { pool.pendingJobs == 1 }
      let refused = try await server.client.post(
        "/users/register/",
        #"{"username": "second", "email": "s@example.com", "password": "password-123"}"#)
      #expect(refused.status == 503)
      #expect(refused.text == Self.busyBody)
      #expect(refused.headers["retry-after"] == "1")
      try await blocker.release()
      #expect(try await waiting.value.status == 201)
      let state = await server.app.shop.auth.currentState
      #expect(state.users.values.map(\.username) == ["first"])
      // The refused name is free.
      try await server.client.register("second")
    }
  }

  @Test("Clients that disconnect while their login or registration waits get nothing issued")
  func disconnectedClientsGetNothing() async throws {
    try await withAPIServer(adjust: {
      $0.auth.hashThreads = 1
      $0.auth.maxPendingHashes = 16
    }) { server in
      try await server.client.register("alice")
      let pool = server.app.shop.auth.hashingPool
      let blocker = try await PoolBlocker(pool)
      let port = server.port
      let json = [("Content-Type", "application/json")]
      let login = Array(#"{"username": "alice", "password": "password-123"}"#.utf8)
      // One client that stays for its answer.
      let staying = Task {
        try await ClientThreads.one {
          let connection = try TestConnection(port: port)
          defer { connection.close() }
          return try connection.request("POST", "/api/users/login/", headers: json, body: login)
        }
      }
      try await waitUntil("the staying login waits") { pool.pendingJobs == 1 }
      // Five logins and three registrations whose clients leave before their hash runs.
      var leaving: [TestConnection] = []
      for index in 0..<8 {
        let connection = try TestConnection(port: port)
        if index < 5 {
          try connection.sendRequest("POST", "/api/users/login/", headers: json, body: login)
        } else {
          try connection.sendRequest(
            "POST", "/api/users/register/", headers: json,
            body: Array(
              #"{"username": "gone\#(index)", "email": "g@example.com", "password": "password-123"}"#
                .utf8))
        }
        leaving.append(connection)
      }
      try await waitUntil("all nine hashes wait") { pool.pendingJobs == 9 }
      for connection in leaving { connection.close() }
      try await waitUntil("the server sees the eight clients leave") {
        pool.abandonedWaitingJobs == 8
      }
      try await blocker.release()
      let answer = try await staying.value
      #expect(answer.status == 200)
      try await waitUntil("the queue drains") { pool.pendingJobs == 0 && pool.abandonedJobs == 8 }
      let state = await server.app.shop.auth.currentState
      #expect(state.tokens.count == 1)
      #expect(state.users.values.map(\.username) == ["alice"])
      // The dropped registrations left their names free.
      try await server.client.register("gone5")
    }
  }
}
