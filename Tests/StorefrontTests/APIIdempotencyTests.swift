import Foundation
import JSON
import Testing

/// `Idempotency-Key` on `POST /orders/` over HTTP, against an in-process server (API.md, "Safe
/// retries"). The kill -9, in-progress and 5xx cases run `storefront serve` as a process:
/// ``APIIdempotencyProcessTests``.
@Suite("API: Idempotency-Key on POST /orders/")
struct APIIdempotencyTests {
  static let body = #"{"items": [{"product": 1, "variant": 1, "quantity": 2}]}"#

  /// A catalog (product 1, variant 1 with `stock`) and a user.
  static func seed(_ server: APITestServer, stock: Int = 10) async throws -> (
    admin: APIUser, user: APIUser
  ) {
    let admin = try await server.admin()
    let user = try await server.client.user("buyer")
    _ = try await server.client.category("Mugs", admin: admin)
    _ = try await server.client.product(
      #"{"name": "Mug", "price": "4.99", "category": 1, "variants": [{"size": "S", "stock": \#(stock)}]}"#,
      admin: admin)
    return (admin, user)
  }

  static func post(
    _ client: APIClient, key: String?, body: String = body, token: String
  ) async throws -> APIResponse {
    try await client.request(
      "POST", "/orders/", token: token, body: .json(body),
      headers: key.map { [("Idempotency-Key", $0)] } ?? [])
  }

  @Test("a retry with the same key and body gets the stored answer, replayed, once")
  func replay() async throws {
    try await withAPIServer { server in
      let (admin, user) = try await Self.seed(server)
      let client = server.client
      let first = try await Self.post(client, key: "order-1", token: user.token)
      #expect(first.status == 201, "\(first)")
      #expect(first.headers["idempotent-replayed"] == nil)
      // The same body as parsed JSON: member order, spacing, 2 vs 2.0 do not matter.
      for body in [
        Self.body, #"{ "items" : [ { "quantity": 2.0, "variant": 1, "product": 1 } ] }"#,
        #"{"items": [{"product": 1, "variant": 1, "quantity": 20e-1}], "items": [{"product": 1, "variant": 1, "quantity": 2}]}"#,
      ] {
        let again = try await Self.post(client, key: "order-1", body: body, token: user.token)
        #expect(again.status == 201, "\(again)")
        #expect(again.body == first.body)
        #expect(again.headers["idempotent-replayed"] == "true")
        #expect(again.headers["content-type"] == "application/json")
      }
      #expect(try await client.stock(ofVariant: 1) == 8)
      #expect(try await client.get("/orders/", token: admin.token).json.jsonArray?.count == 1)

      expectDetail(
        try await Self.post(
          client, key: "order-1",
          body: #"{"items": [{"product": 1, "variant": 1, "quantity": 3}]}"#,
          token: user.token), 422,
        "Idempotency-Key was already used with a different request body.")
      expectDetail(
        try await Self.post(client, key: "order-1", body: "{}", token: user.token), 422,
        "Idempotency-Key was already used with a different request body.")
      // Keys are scoped per user: the same key is new for someone else.
      let other = try await client.user("other")
      let theirs = try await Self.post(client, key: "order-1", token: other.token)
      #expect(theirs.status == 201 && theirs.headers["idempotent-replayed"] == nil, "\(theirs)")
      #expect(theirs.json["id"] == .int(2))
      // Without a key, every request is a new order.
      #expect(try await Self.post(client, key: nil, token: user.token).json["id"] == .int(3))
      #expect(try await client.stock(ofVariant: 1) == 4)
      // The key means nothing on other routes.
      let category = try await client.request(
        "POST", "/products/categories/create/", token: admin.token,
        body: .json(#"{"name": "Cups"}"#), headers: [("Idempotency-Key", "order-1")])
      #expect(category.status == 201 && category.headers["idempotent-replayed"] == nil)
    }
  }

  @Test("a 400 is stored and replayed too, even once the stock is back")
  func storedRefusal() async throws {
    try await withAPIServer { server in
      let (admin, user) = try await Self.seed(server, stock: 1)
      let client = server.client
      let refused = try await Self.post(client, key: "k", token: user.token)
      expectJSON(refused, 400, #"{"items": ["Insufficient stock for variant 1: 1 available."]}"#)
      #expect(refused.headers["idempotent-replayed"] == nil)
      _ = try await client.patch(
        "/products/1/variants/1/", #"{"stock_delta": 5}"#, token: admin.token)
      let again = try await Self.post(client, key: "k", token: user.token)
      #expect(again.status == 400 && again.body == refused.body, "\(again)")
      #expect(again.headers["idempotent-replayed"] == "true")
      // Field errors are 400s as well.
      let invalid = try await Self.post(
        client, key: "k2", body: #"{"items": []}"#, token: user.token)
      let invalidAgain = try await Self.post(
        client, key: "k2", body: #"{"items": []}"#, token: user.token)
      #expect(invalid.status == 400 && invalidAgain.body == invalid.body)
      #expect(invalidAgain.headers["idempotent-replayed"] == "true")
      // A body that is not JSON never ran: nothing is stored for it.
      let malformed = try await client.request(
        "POST", "/orders/", token: user.token, body: .json("{nope"),
        headers: [("Idempotency-Key", "k3")])
      #expect(malformed.status == 400)
      let fine = try await Self.post(client, key: "k3", token: user.token)
      #expect(fine.status == 201 && fine.headers["idempotent-replayed"] == nil, "\(fine)")
      #expect(try await client.stock(ofVariant: 1) == 4)
    }
  }

  @Test("a key that is empty, longer than 255 or not printable ASCII is a 400")
  func keyValidation() async throws {
    try await withAPIServer { server in
      let (_, user) = try await Self.seed(server)
      let client = server.client
      for key in ["", "   ", String(repeating: "k", count: 256), "a\tb", "caf\u{E9}"] {
        expectDetail(
          try await Self.post(client, key: key, token: user.token), 400,
          "Idempotency-Key must be 1 to 255 printable ASCII characters.")
      }
      let longest = String(repeating: "~", count: 255)
      #expect(try await Self.post(client, key: longest, token: user.token).status == 201)
      #expect(try await Self.post(client, key: " a b ", token: user.token).status == 201)
      // Authentication comes first.
      expectDetail(
        try await client.request(
          "POST", "/orders/", body: .json(Self.body), headers: [("Idempotency-Key", "")]), 401,
        "Authentication credentials were not provided.")
      #expect(try await client.stock(ofVariant: 1) == 6)
    }
  }

  @Test("20 concurrent requests with one key make exactly one order")
  func concurrentKey() async throws {
    try await withAPIServer { server in
      let (admin, user) = try await Self.seed(server, stock: 100)
      let token = user.token
      let responses = try await server.client.concurrently(20) { _ in
        APIClient.Call(
          method: "POST", path: "/orders/", token: token, body: .json(Self.body),
          headers: [("Idempotency-Key", "burst")])
      }
      #expect(responses.count == 20)
      let created = responses.filter { $0.status == 201 }
      let original = created.filter { $0.headers["idempotent-replayed"] == nil }
      #expect(original.count == 1, "\(responses)")
      for response in created { #expect(response.body == original.first?.body) }
      for response in responses where response.status != 201 {
        expectDetail(response, 409, "A request with this Idempotency-Key is in progress.")
      }
      #expect(try await server.client.stock(ofVariant: 1) == 98)
      #expect(
        try await server.client.get("/orders/", token: admin.token).json.jsonArray?.count == 1)
      // Once it is done, the key replays.
      let later = try await Self.post(server.client, key: "burst", token: token)
      #expect(later.status == 201 && later.body == original.first?.body)
      #expect(later.headers["idempotent-replayed"] == "true")
    }
  }

  @Test("records survive a restart and a compaction; expired ones are dropped")
  func persistenceAndExpiry() async throws {
    let directory = try APIDataDirectory()
    var server = try await APITestServer.start(
      directory: directory, adjust: { $0.api.idempotencyTTLSeconds = 2 })
    do {
      let (_, user) = try await Self.seed(server)
      let first = try await Self.post(server.client, key: "a", token: user.token)
      #expect(first.status == 201)
      server = try await server.restart()
      let replayed = try await Self.post(server.client, key: "a", token: user.token)
      #expect(replayed.body == first.body && replayed.headers["idempotent-replayed"] == "true")
      try await server.app.compact()
      server = try await server.restart()
      let afterCompaction = try await Self.post(server.client, key: "a", token: user.token)
      #expect(afterCompaction.body == first.body)
      #expect(afterCompaction.headers["idempotent-replayed"] == "true")
      #expect(try await server.client.stock(ofVariant: 1) == 8)

      // Past the time to live, the key runs as new; compaction drops the expired record.
      try await Task.sleep(for: .milliseconds(2_100))
      let fresh = try await Self.post(server.client, key: "a", token: user.token)
      #expect(fresh.status == 201 && fresh.headers["idempotent-replayed"] == nil, "\(fresh)")
      #expect(fresh.json["id"] == .int(2))
      try await Task.sleep(for: .milliseconds(2_100))
      try await server.app.compact()
      let log = try String(contentsOfFile: directory.path + "/events.jsonl", encoding: .utf8)
      #expect(!log.contains(#""type":"idempotencyRecorded""#), "\(log)")
      #expect(log.contains(#""type":"orderRestored""#))
      server = try await server.restart()
      let third = try await Self.post(server.client, key: "a", token: user.token)
      #expect(third.json["id"] == .int(3) && third.headers["idempotent-replayed"] == nil)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }
}
