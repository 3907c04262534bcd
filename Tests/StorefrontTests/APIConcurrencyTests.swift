import HTTPTestSupport
import JSON
import Primitives
import Testing

/// Concurrent orders never oversell, and what they sold survives a restart.
@Suite("API concurrency over HTTP")
struct APIConcurrencyTests {
  /// Responses collected from client threads.
  final class Outcomes: Sendable {
    private let responses = Locked<[APIResponse]>([])
    func add(_ response: APIResponse) { responses.withLock { $0.append(response) } }
    var all: [APIResponse] { responses.withLock { $0 } }
  }

  @Test("100 concurrent orders from 10 users on 20 connections, stock 10: exactly 10 succeed")
  func hundredOrdersAgainstStockTen() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory())
    do {
      let admin = try await server.admin()
      _ = try await server.client.category("Limited", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Drop", "price": 99.9, "category": 1, "variants": [{"size": "one", "color": "red", "stock": 10}]}"#,
        admin: admin)
      _ = try await server.client.product(
        #"{"name": "Sticker", "price": 1, "category": 1}"#, admin: admin)
      var users: [APIUser] = []
      for index in 0..<10 { users.append(try await server.client.user("buyer\(index)")) }

      let outcomes = Outcomes()
      let port = server.port
      let buyers = users
      let body = Array(#"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#.utf8)
      try await ClientThreads.run(20) { index in
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        for round in 0..<5 {
          let user = buyers[(index + round) % buyers.count]
          let response = try connection.request(
            "POST", "/api/orders/",
            headers: [
              ("Authorization", "Token \(user.token)"), ("Content-Type", "application/json"),
            ], body: body)
          outcomes.add(APIResponse(response))
        }
      }

      let responses = outcomes.all
      #expect(responses.count == 100)
      let created = responses.filter { $0.status == 201 }
      let refused = responses.filter { $0.status == 400 }
      #expect(created.count == 10)
      #expect(refused.count == 90)
      #expect(created.count + refused.count == responses.count, "\(responses.map(\.status))")
      let insufficient = APIJSON.parse(
        #"{"items": ["Insufficient stock for variant 1: 0 available."]}"#)
      for response in refused {
        #expect(response.json == insufficient, "\(response)")
      }
      #expect(Set(created.compactMap { $0.json["id"]?.intValue }) == Set(1...10))
      #expect(try await server.client.stock(ofVariant: 1) == 0)

      let before = try await Self.checkTenOrders(server, admin: admin, users: users)

      server = try await server.restart()
      #expect(try await server.client.stock(ofVariant: 1) == 0)
      let after = try await Self.checkTenOrders(server, admin: admin, users: users)
      #expect(after == before)
      expectJSON(
        try await server.client.post(
          "/orders/", #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#,
          token: users[0].token), 400,
        #"{"items": ["Insufficient stock for variant 1: 0 available."]}"#)
      // Ids continue after the restart.
      let next = try await server.client.order(
        #"{"items": [{"product": 2, "quantity": 1}]}"#, user: users[0])
      #expect(next["id"] == .int(11))
      #expect(next["items"]?.jsonArray?.first?["id"] == .int(11))
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  /// Checks that exactly ten orders of one unit of variant 1 are stored, one list per user
  /// adding up to them; returns the admin's list body.
  static func checkTenOrders(
    _ server: APITestServer, admin: APIUser, users: [APIUser]
  ) async throws -> [UInt8] {
    let all = try await server.client.get("/orders/", token: admin.token)
    #expect(all.status == 200)
    let orders = all.json.jsonArray ?? []
    #expect(orders.count == 10)
    #expect(orders.map { $0["id"]?.intValue } == Array(1...10).map { $0 })
    for order in orders {
      let items = order["items"]?.jsonArray ?? []
      #expect(items.count == 1)
      #expect(items.first?["variant"] == .int(1))
      #expect(items.first?["quantity"] == .int(1))
      #expect(items.first?["price"] == .number("99.9"))
      #expect(order["status"] == .string("created"))
    }
    var perUser = 0
    for user in users {
      let own = try await server.client.get("/orders/", token: user.token)
      let list = own.json.jsonArray ?? []
      #expect(
        list.allSatisfy { $0["user"] == .int(user.id) && $0["user_name"] == .string(user.username) }
      )
      perUser += list.count
    }
    #expect(perUser == 10)
    return all.body
  }

  @Test("10 concurrent registrations of one username: exactly one succeeds")
  func sameUsername() async throws {
    try await withAPIServer { server in
      let responses = try await server.client.concurrently(10) { index in
        APIClient.Call(
          method: "POST", path: "/users/register/",
          body: .json(
            #"{"username": "dup", "email": "dup\#(index)@example.com", "password": "password-1"}"#))
      }
      #expect(responses.filter { $0.status == 201 }.count == 1, "\(responses)")
      for response in responses where response.status != 201 {
        expectJSON(response, 400, #"{"username": ["A user with that username already exists."]}"#)
      }
      // Ids are not reused or skipped by the refused ones: the next user is 2.
      #expect(try await server.client.register("next") == 2)
    }
  }

  @Test("10 concurrent creations of one category name: exactly one succeeds")
  func sameCategory() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let responses = try await server.client.concurrently(10) { _ in
        APIClient.Call(
          method: "POST", path: "/products/categories/create/", token: admin.token,
          body: .json(#"{"name": "Dup"}"#))
      }
      #expect(responses.filter { $0.status == 201 }.count == 1, "\(responses)")
      for response in responses where response.status != 201 {
        expectJSON(response, 400, #"{"name": ["category with this name already exists."]}"#)
      }
      expectJSON(
        try await server.client.get("/products/categories/"), 200, #"[{"id": 1, "name": "Dup"}]"#)
    }
  }

  @Test("10 concurrent cancels of one order: one succeeds, stock comes back once")
  func concurrentCancels() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory())
    do {
      let admin = try await server.admin()
      let user = try await server.client.user("buyer")
      _ = try await server.client.category("C", admin: admin)
      _ = try await server.client.product(
        #"{"name": "P", "price": 5, "category": 1, "variants": [{"stock": 10}]}"#, admin: admin)
      _ = try await server.client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 3}, {"product": 1, "variant": 1, "quantity": 2}]}"#,
        user: user)
      #expect(try await server.client.stock(ofVariant: 1) == 5)
      let responses = try await server.client.concurrently(10) { _ in
        APIClient.Call(
          method: "PATCH", path: "/orders/1/update-status/", token: admin.token,
          body: .json(#"{"status": "cancelled"}"#))
      }
      #expect(responses.filter { $0.status == 200 }.count == 1, "\(responses)")
      for response in responses where response.status != 200 {
        expectJSON(response, 400, #"{"status": ["Cannot change status of a cancelled order."]}"#)
      }
      #expect(try await server.client.stock(ofVariant: 1) == 10)
      server = try await server.restart()
      #expect(try await server.client.stock(ofVariant: 1) == 10)
      let orders = try await server.client.get("/orders/", token: admin.token)
      #expect(orders.json.jsonArray?.first?["status"] == .string("cancelled"))
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("concurrent logins beyond auth.max_tokens_per_user keep only that many live tokens")
  func concurrentLoginsKeepTokenLimit() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory()) {
      $0.auth.maxTokensPerUser = 3
    }
    do {
      _ = try await server.client.register("many", password: "password-1")
      let responses = try await server.client.concurrently(12) { _ in
        APIClient.Call(
          method: "POST", path: "/users/login/",
          body: .json(#"{"username": "many", "password": "password-1"}"#))
      }
      #expect(responses.allSatisfy { $0.status == 200 }, "\(responses)")
      let tokens = responses.compactMap { $0.json["token"]?.stringValue }
      #expect(Set(tokens).count == 12)
      func liveCount(_ client: APIClient) async throws -> Int {
        var live = 0
        for token in tokens where try await client.get("/orders/", token: token).status == 200 {
          live += 1
        }
        return live
      }
      #expect(try await liveCount(server.client) == 3)
      server = try await server.restart()
      #expect(try await liveCount(server.client) == 3)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("pipelined requests on one connection are answered in order (immediate and async replies)")
  func pipelinedRequests() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let port = server.port
      let token = admin.token
      let statuses = try await ClientThreads.one { () -> [(Int, String)] in
        let connection = try TestConnection(port: port)
        defer { connection.close() }
        let json = [("Content-Type", "application/json")]
        let auth = [("Authorization", "Token \(token)")]
        try connection.sendRequest("GET", "/api/products/categories/")
        try connection.sendRequest(
          "POST", "/api/products/categories/create/", headers: json + auth,
          body: Array(#"{"name": "First"}"#.utf8))
        try connection.sendRequest("GET", "/api/products/categories/")
        try connection.sendRequest(
          "POST", "/api/users/register/", headers: json,
          body: Array(
            #"{"username": "piped", "email": "p@example.com", "password": "password-1"}"#.utf8))
        try connection.sendRequest("GET", "/api/nope/")
        try connection.sendRequest("GET", "/api/orders/", headers: auth)
        return try (0..<6).map { _ in
          let response = try connection.readResponse()
          return (response.status, String(decoding: response.body, as: UTF8.self))
        }
      }
      #expect(statuses.map(\.0) == [200, 201, 200, 201, 404, 200])
      #expect(statuses.first?.1 == "[]")
      #expect(statuses[1].1 == #"{"id":1,"name":"First"}"#)
      #expect(statuses[2].1 == #"[{"id":1,"name":"First"}]"#)
      #expect(statuses[3].1.contains(#""username":"piped""#))
    }
  }
}
