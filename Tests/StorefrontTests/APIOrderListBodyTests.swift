import Foundation
import HTTPTestSupport
import JSON
import Testing

@testable import Storefront

/// A customer's `GET /orders/` is answered on the loop thread from the body stored when it was
/// last rendered (``OrderListBodies``): these check over HTTP that the stored body is always
/// the one the actor would render now.
@Suite("Order list bodies answered on the loop")
struct APIOrderListBodyTests {
  @Test("A stored list is dropped by a new order and by a status change, per customer")
  func storedListFollowsChanges() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let alice = try await server.client.user("alice")
      let bob = try await server.client.user("bob")
      _ = try await server.client.category("Skincare", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "100ml", "color": "White", "stock": 50}]}"#,
        admin: admin)
      let item = #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#
      let bodies = server.app.shop.orders.listBodies
      #expect(try await server.client.get("/orders/", token: alice.token).text == "[]")
      #expect(bodies.body(ofUser: alice.id) == Array("[]".utf8))

      let first = try await server.client.order(item, user: alice)
      #expect(bodies.body(ofUser: alice.id) == nil)
      let rendered = try await server.client.get("/orders/", token: alice.token)
      #expect(rendered.json == .array([first]))
      let stored = try #require(bodies.body(ofUser: alice.id))
      #expect(stored == rendered.body)
      // Answered from the stored body: the same bytes and headers as the rendered one.
      let again = try await server.client.get("/orders/", token: alice.token)
      #expect(again.status == 200)
      #expect(again.body == rendered.body)
      #expect(again.headers["content-type"] == "application/json")
      // The filtered path renders the same orders.
      #expect(
        try await server.client.get("/orders/?ordering=id", token: alice.token).body
          == rendered.body)

      // Bob's order leaves Alice's stored list alone.
      _ = try await server.client.get("/orders/", token: bob.token)
      let bobs = try await server.client.order(item, user: bob)
      #expect(bodies.body(ofUser: alice.id) == stored)
      #expect(try await server.client.get("/orders/", token: bob.token).json == .array([bobs]))

      let second = try await server.client.order(item, user: alice)
      #expect(
        try await server.client.get("/orders/", token: alice.token).json
          == .array([first, second]))

      _ = try await server.client.get("/orders/", token: alice.token)
      let paid = try await server.client.patch(
        "/orders/1/update-status/", #"{"status": "paid"}"#, token: admin.token)
      #expect(paid.status == 200)
      #expect(bodies.body(ofUser: alice.id) == nil)
      let listed = try await server.client.get("/orders/", token: alice.token).json.jsonArray
      #expect(listed?.map { $0["status"] } == [.string("paid"), .string("created")])

      // Staff see every order, rendered each time; their list is never stored.
      let all = try await server.client.get("/orders/", token: admin.token)
      #expect(all.json.jsonArray?.count == 3)
      #expect(bodies.body(ofUser: admin.id) == nil)
    }
  }

  @Test("A bad or missing token on a stored list is refused as before")
  func refusalsUnchanged() async throws {
    try await withAPIServer { server in
      let alice = try await server.client.user("alice")
      #expect(try await server.client.get("/orders/", token: alice.token).status == 200)
      #expect(server.app.shop.orders.listBodies.body(ofUser: alice.id) != nil)
      let missing = try await server.client.get("/orders/")
      #expect(missing.status == 401)
      #expect(missing.text == #"{"detail":"Authentication credentials were not provided."}"#)
      let invalid = try await server.client.get(
        "/orders/", token: String(repeating: "0", count: 40))
      #expect(invalid.status == 401)
      #expect(invalid.text == #"{"detail":"Invalid token."}"#)
      _ = try await server.client.post("/users/logout/", token: alice.token)
      #expect(try await server.client.get("/orders/", token: alice.token).status == 401)
    }
  }
}
