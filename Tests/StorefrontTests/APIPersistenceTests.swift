import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

/// Restart, kill -9 and replay of an earlier run's log: everything acknowledged is still there.
@Suite("API persistence over HTTP")
struct APIPersistenceTests {
  /// The lists a client can see, as bytes, to compare before and after a restart.
  struct Visible: Equatable {
    var products: [UInt8]
    var categories: [UInt8]
    var allOrders: [UInt8]
  }

  static func visible(_ client: APIClient, admin: String) async throws -> Visible {
    let products = try await client.get("/products/")
    let categories = try await client.get("/products/categories/")
    let orders = try await client.get("/orders/", token: admin)
    #expect(products.status == 200 && categories.status == 200 && orders.status == 200)
    return Visible(products: products.body, categories: categories.body, allOrders: orders.body)
  }

  @Test("a clean restart keeps users, passwords, live and revoked tokens, catalog, stock, orders")
  func cleanRestart() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory())
    do {
      let client = server.client
      let admin = try await server.admin()
      let alice = try await client.user("alice", password: "alice-password")
      let aliceRevoked = try await client.login("alice", "alice-password")
      #expect(try await client.post("/users/logout/", token: aliceRevoked).status == 200)
      let bob = try await client.user("bob", password: "bob-password")
      let bobSecond = try await client.login("bob", "bob-password")
      #expect(try await client.post("/users/logout-all/", token: bob.token).status == 200)
      _ = try await client.category("Skincare", admin: admin)
      _ = try await client.category("Haircare", admin: admin)
      _ = try await client.product(
        #"{"name": "Sunscreen", "description": "SPF 30", "price": 550, "category": 1, "variants": [{"size": "100ml", "color": "White", "stock": 50}, {"size": "200ml", "color": "Yellow", "stock": 30}]}"#,
        admin: admin)
      _ = try await client.product(
        #"{"name": "Shampoo", "price": 19.99, "category": 2}"#, admin: admin)
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 2}, {"product": 2, "quantity": 1}]}"#,
        user: alice)
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 5}]}"#, user: alice)
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 3}]}"#, user: admin)
      #expect(
        try await client.patch(
          "/orders/1/update-status/", #"{"status": "shipped"}"#, token: admin.token
        ).status == 200)
      #expect(
        try await client.patch(
          "/orders/2/update-status/", #"{"status": "cancelled"}"#, token: admin.token
        ).status
          == 200)
      let before = try await Self.visible(client, admin: admin.token)
      let aliceOrders = try await client.get("/orders/", token: alice.token).body

      server = try await server.restart()
      let restarted = server.client
      #expect(server.app.replayedRecords > 0)
      let after = try await Self.visible(restarted, admin: admin.token)
      #expect(
        after.products == before.products, "\(String(decoding: after.products, as: UTF8.self))")
      #expect(after.categories == before.categories)
      #expect(after.allOrders == before.allOrders)
      #expect(try await restarted.get("/orders/", token: alice.token).body == aliceOrders)
      #expect(try await restarted.stock(ofVariant: 1) == 50)
      #expect(try await restarted.stock(ofVariant: 2) == 25)
      let statuses =
        after.allOrders.isEmpty ? [] : (try JSONParser.parse(after.allOrders).jsonArray ?? [])
      #expect(
        statuses.map { $0["status"] } == [
          .string("shipped"), .string("cancelled"), .string("created"),
        ])

      // Tokens: live ones work, revoked ones stay revoked.
      #expect(try await restarted.get("/orders/", token: alice.token).status == 200)
      for token in [aliceRevoked, bob.token, bobSecond] {
        expectDetail(try await restarted.get("/orders/", token: token), 401, "Invalid token.")
      }
      // Passwords: hashed, and login still works; the admin is still an admin.
      _ = try await restarted.login("alice", "alice-password")
      _ = try await restarted.login("bob", "bob-password")
      expectJSON(
        try await restarted.post(
          "/users/login/", #"{"username": "alice", "password": "bob-password"}"#), 400,
        #"{"non_field_errors": ["Unable to log in with provided credentials."]}"#)
      expectJSON(
        try await restarted.post(
          "/users/register/",
          #"{"username": "alice", "email": "a@example.com", "password": "password-1"}"#), 400,
        #"{"username": ["A user with that username already exists."]}"#)
      // Ids continue where they were.
      #expect(try await restarted.category("Makeup", admin: admin) == 3)
      let product = try await restarted.product(
        #"{"name": "Mascara", "price": 5, "category": 3, "variants": [{"stock": 1}]}"#,
        admin: admin)
      #expect(product["id"] == .int(3))
      #expect(product["variants"]?.jsonArray?.first?["id"] == .int(3))
      let order = try await restarted.order(
        #"{"items": [{"product": 3, "variant": 3, "quantity": 1}]}"#, user: alice)
      #expect(order["id"] == .int(4))
      #expect(order["items"]?.jsonArray?.first?["id"] == .int(5))
      #expect(try await restarted.register("carol") == 4)
      // What is on disk: Django hashes, token digests, never a password or a token in clear.
      try await server.stop()
      let log = try String(
        contentsOfFile: server.dataDir + "/events.jsonl", encoding: .utf8)
      #expect(log.contains("pbkdf2_sha256$\(APITestServer.testIterations)$"))
      for secret in [
        "alice-password", "bob-password", "admin-password", alice.token, aliceRevoked,
        bob.token, admin.token,
      ] {
        #expect(!log.contains(secret), "the log holds a secret in clear")
      }
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("a compacted log replays to the same state: tokens, stock, statuses, next ids")
  func compactionThenRestart() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory())
    do {
      let client = server.client
      let admin = try await server.admin()
      let alice = try await client.user("alice", password: "alice-password")
      let revoked = try await client.login("alice", "alice-password")
      #expect(try await client.post("/users/logout/", token: revoked).status == 200)
      let bob = try await client.user("bob")
      #expect(try await client.post("/users/logout-all/", token: bob.token).status == 200)
      _ = try await client.category("Skincare", admin: admin)
      _ = try await client.product(
        #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "S", "stock": 10}, {"size": "L", "stock": 10}]}"#,
        admin: admin)
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 4}]}"#, user: alice)
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 3}]}"#, user: alice)
      #expect(
        try await client.patch(
          "/orders/1/update-status/", #"{"status": "cancelled"}"#, token: admin.token
        ).status == 200)
      #expect(
        try await client.patch(
          "/orders/2/update-status/", #"{"status": "delivered"}"#, token: admin.token
        ).status == 200)
      // The last order is refused: ids of refused orders are not consumed.
      _ = try await client.post(
        "/orders/", #"{"items": [{"product": 1, "variant": 2, "quantity": 99}]}"#,
        token: alice.token)

      try await server.app.compact()
      _ = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 1}]}"#, user: alice)
      let before = try await Self.visible(client, admin: admin.token)

      server = try await server.restart()
      let header = try String(contentsOfFile: server.dataDir + "/events.jsonl", encoding: .utf8)
        .prefix { $0 != "\n" }
      #expect(!header.contains(#""snapshot":0,"#), "not compacted: \(header)")
      let restarted = server.client
      let after = try await Self.visible(restarted, admin: admin.token)
      #expect(after == before)
      #expect(try await restarted.stock(ofVariant: 1) == 10)
      #expect(try await restarted.stock(ofVariant: 2) == 6)
      #expect(try await restarted.get("/orders/", token: alice.token).status == 200)
      for token in [revoked, bob.token] {
        expectDetail(try await restarted.get("/orders/", token: token), 401, "Invalid token.")
      }
      _ = try await restarted.login("bob")
      expectJSON(
        try await restarted.patch(
          "/orders/1/update-status/", #"{"status": "paid"}"#, token: admin.token), 400,
        #"{"status": ["Cannot change status of a cancelled order."]}"#)
      #expect(try await restarted.category("Haircare", admin: admin) == 2)
      let product = try await restarted.product(
        #"{"name": "Gel", "price": 3, "category": 2, "variants": [{"stock": 1}]}"#, admin: admin)
      #expect(product["id"] == .int(2))
      #expect(product["variants"]?.jsonArray?.first?["id"] == .int(3))
      let order = try await restarted.order(
        #"{"items": [{"product": 2, "variant": 3, "quantity": 1}]}"#, user: alice)
      #expect(order["id"] == .int(4))
      #expect(order["items"]?.jsonArray?.first?["id"] == .int(4))
      #expect(try await restarted.register("carol") == 4)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("kill -9 of storefront serve right after responses: everything acknowledged is there")
  func killNine() async throws {
    let data = try APIDataDirectory()
    let work = try APIDataDirectory()
    let created = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password", "--data-dir", data.path,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    let workPath = work.path

    let first = try await ClientThreads.one {
      try APIServeProcess(dataDir: data.path, workDirectory: workPath)
    }
    let acknowledged = Acknowledged()
    let admin: APIUser
    let alice: APIUser
    let revoked: String
    do {
      (admin, alice, revoked) = try await Self.writeThenBurst(
        APIClient(port: first.port), acknowledged: acknowledged)
    } catch {
      try? await ClientThreads.one { try first.killHard() }
      throw error
    }
    // SIGKILL as soon as the last response is in.
    try await ClientThreads.one { try first.killHard() }
    let ids = acknowledged.ids.sorted()
    #expect(ids == Array(2...21))

    let second = try await ClientThreads.one {
      try APIServeProcess(dataDir: data.path, workDirectory: workPath)
    }
    let restarted = APIClient(port: second.port)
    do {
      let orders = try await restarted.get("/orders/", token: admin.token)
      #expect(orders.status == 200, "\(orders)")
      let list = orders.json.jsonArray ?? []
      #expect(list.map { $0["id"]?.intValue } == Array(1...21).map { $0 })
      #expect(list.first?["status"] == .string("paid"))
      #expect(try await restarted.stock(ofVariant: 1) == 50 - 2 - 20)
      #expect(try await restarted.get("/orders/", token: alice.token).json.jsonArray?.count == 21)
      expectDetail(try await restarted.get("/orders/", token: revoked), 401, "Invalid token.")
      _ = try await restarted.login("alice", "alice-password")
      #expect(try await restarted.category("Haircare", admin: admin) == 2)
    } catch {
      try await ClientThreads.one { try second.killHard() }
      throw error
    }
    let status = try await ClientThreads.one { try second.terminate() }
    #expect(status == 0, "\(second.standardError)")
  }

  /// Ids of orders whose 201 was received.
  final class Acknowledged: Sendable {
    private let list = Locked<[Int]>([])
    func add(_ id: Int) { list.withLock { $0.append(id) } }
    var ids: [Int] { list.withLock { $0 } }
  }

  /// Writes users, tokens, catalog, an order and a status change, then a burst of 20 orders on
  /// 4 connections, recording the acknowledged ones.
  static func writeThenBurst(
    _ client: APIClient, acknowledged: Acknowledged
  ) async throws -> (admin: APIUser, alice: APIUser, revoked: String) {
    let admin = APIUser(
      id: 1, username: "admin", password: "admin-password",
      token: try await client.login("admin", "admin-password"))
    let alice = try await client.user("alice", password: "alice-password")
    let revoked = try await client.login("alice", "alice-password")
    #expect(try await client.post("/users/logout/", token: revoked).status == 200)
    _ = try await client.category("Skincare", admin: admin)
    _ = try await client.product(
      #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "100ml", "stock": 50}]}"#,
      admin: admin)
    _ = try await client.order(
      #"{"items": [{"product": 1, "variant": 1, "quantity": 2}]}"#, user: alice)
    #expect(
      try await client.patch(
        "/orders/1/update-status/", #"{"status": "paid"}"#, token: admin.token
      ).status == 200)
    let port = client.port
    let token = alice.token
    try await ClientThreads.run(4) { _ in
      let connection = try TestConnection(port: port)
      defer { connection.close() }
      for _ in 0..<5 {
        let response = try connection.request(
          "POST", "/api/orders/",
          headers: [("Authorization", "Token \(token)"), ("Content-Type", "application/json")],
          body: Array(#"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#.utf8))
        if response.status == 201, let id = try JSONParser.parse(response.body)["id"]?.intValue {
          acknowledged.add(id)
        }
      }
    }
    return (admin, alice, revoked)
  }

  @Test("replay of a log written by an earlier run gives back its state exactly")
  func replayEarlierRun() async throws {
    let directory = try APIDataDirectory()
    try Data(EarlierRunLog.contents.utf8).write(
      to: URL(fileURLWithPath: directory.path + "/events.jsonl"))
    try await withServer(on: directory) { server in
      let client = server.client
      expectJSON(
        try await client.get("/products/categories/"), 200, #"[{"id": 1, "name": "Skincare"}]"#)
      expectJSON(
        try await client.get("/products/"), 200,
        #"""
        [{"id": 1, "name": "Sunscreen", "description": "SPF 30 sunscreen", "price": 550, "category": 1,
          "variants": [{"id": 1, "size": "100ml", "color": "White", "stock": 50},
                       {"id": 2, "size": "200ml", "color": "Yellow", "stock": 28}]},
         {"id": 2, "name": "Towel", "description": "", "price": 300, "category": 1, "variants": []}]
        """#)
      let expectedOrders = #"""
        [{"id": 1, "user": 2, "user_name": "testuser", "status": "shipped",
          "items": [{"id": 1, "product": 1, "variant": 2, "quantity": 2, "price": 550},
                    {"id": 2, "product": 2, "variant": null, "quantity": 1, "price": 300}],
          "created_at": "\#(EarlierRunLog.createdAt)", "updated_at": "\#(EarlierRunLog.updatedAt)"}]
        """#
      expectJSON(
        try await client.get("/orders/", token: EarlierRunLog.adminToken), 200, expectedOrders)
      expectJSON(
        try await client.get("/orders/", token: EarlierRunLog.userToken), 200, expectedOrders)
      expectDetail(
        try await client.get("/orders/", token: EarlierRunLog.revokedToken), 401, "Invalid token.")
      _ = try await client.login("testuser", "test12345")
      _ = try await client.login("admin", "admin-password")
      let admin = APIUser(id: 1, username: "admin", password: "", token: EarlierRunLog.adminToken)
      let user = APIUser(id: 2, username: "testuser", password: "", token: EarlierRunLog.userToken)
      #expect(try await client.category("Haircare", admin: admin) == 2)
      let order = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 1}]}"#, user: user)
      #expect(order["id"] == .int(2))
      #expect(order["items"]?.jsonArray?.first?["id"] == .int(3))
      #expect(try await client.stock(ofVariant: 2) == 27)
      #expect(try await client.register("newcomer") == 3)
    }
  }

  @Test("a log of the previous release takes the new writes; restart and compaction keep them")
  func earlierRunThenManagement() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path + "/events.jsonl"
    try Data(EarlierRunLog.contents.utf8).write(to: URL(fileURLWithPath: path))
    let admin = EarlierRunLog.adminToken
    let user = EarlierRunLog.userToken
    var server = try await APITestServer.start(directory: directory)
    do {
      let client = server.client
      #expect(
        try await client.patch("/products/1/", #"{"price": 600}"#, token: admin).status == 200)
      #expect(
        try await client.patch(
          "/products/categories/1/", #"{"name": "Skin"}"#, token: admin
        ).status == 200)
      #expect(
        try await client.post("/products/1/variants/", #"{"size": "50ml"}"#, token: admin)
          .json["id"] == .int(3))
      #expect(
        try await client.patch("/products/1/variants/1/", #"{"stock_delta": -5}"#, token: admin)
          .json["stock"] == .int(45))
      #expect(try await client.delete("/products/2/", token: admin).status == 204)
      let keyed = try await client.request(
        "POST", "/orders/", token: user,
        body: .json(#"{"items": [{"product": 1, "variant": 2, "quantity": 1}]}"#),
        headers: [("Idempotency-Key", "earlier")])
      #expect(keyed.status == 201, "\(keyed)")
      let text = try String(contentsOfFile: path, encoding: .utf8)
      // The earlier lines stay as they were; the new events follow them.
      #expect(text.hasPrefix(EarlierRunLog.contents))

      let products = try await client.get("/products/")
      let categories = try await client.get("/products/categories/")
      let orders = try await client.get("/orders/", token: admin)
      #expect(orders.json.jsonArray?.count == 2)
      #expect(
        orders.json.jsonArray?.first?["items"]?.jsonArray?.map { $0["price"] } == [
          .number("550"), .number("300"),
        ])
      for compact in [false, true] {
        if compact { try await server.app.compact() }
        server = try await server.restart()
        let after = server.client
        #expect(try await after.get("/products/").body == products.body, "compacted: \(compact)")
        #expect(try await after.get("/products/categories/").body == categories.body)
        #expect(try await after.get("/orders/", token: admin).body == orders.body)
        let replay = try await after.request(
          "POST", "/orders/", token: user,
          body: .json(#"{"items": [{"product": 1, "variant": 2, "quantity": 1}]}"#),
          headers: [("Idempotency-Key", "earlier")])
        #expect(replay.body == keyed.body && replay.headers["idempotent-replayed"] == "true")
        expectDetail(
          try await after.get("/products/2/"), 404, "No Product matches the given query.")
      }
      #expect(
        try await server.client.product(
          #"{"name": "Soap", "price": 1, "category": 1}"#,
          admin: APIUser(id: 1, username: "admin", password: "", token: admin))["id"] == .int(3))
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  func withServer(
    on directory: APIDataDirectory, _ body: (APITestServer) async throws -> Void
  ) async throws {
    let server = try await APITestServer.start(directory: directory)
    do {
      try await body(server)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }
}
