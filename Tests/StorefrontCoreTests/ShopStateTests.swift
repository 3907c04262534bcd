import JSON
import Primitives
import Testing

@testable import StorefrontCore

/// A shop with a bit of everything: users, tokens (live and revoked), categories, products,
/// orders in several statuses, a cancellation that returned stock.
func populatedShop(sink: InMemoryEventSink) async throws -> Shop {
  let shop = makeShop(sink: sink)
  let admin = try await makeAdmin(shop)
  let sunscreen = try await makeProduct(shop, admin: admin, stocks: [50, 30])
  let hat = try await makeProduct(shop, admin: admin, name: "Hat", price: "12.99", stocks: [])
  let alice = try await shop.auth.register(registerBody("alice"))
  let bob = try await shop.auth.register(registerBody("bob"))
  _ = try await shop.auth.login(loginBody("alice"))
  let revoked = try await shop.auth.login(loginBody("alice"))
  try await shop.auth.logout(token: revoked.token)
  _ = try await shop.auth.login(loginBody("bob"))
  _ = try await shop.auth.login(loginBody("admin", password: "admin-pass-123"))
  let first = try await shop.orders.placeOrder(
    orderBody([(sunscreen.id, sunscreen.variants[0].id, 2), (hat.id, nil, 3)]), by: alice)
  let second = try await shop.orders.placeOrder(
    orderBody([(sunscreen.id, sunscreen.variants[1].id, 5)]), by: bob)
  _ = try await shop.orders.placeOrder(orderBody([(hat.id, nil, 1)]), by: bob)
  _ = try await shop.orders.updateStatus(
    orderId: first.id, .object(["status": .string("shipped")]), by: admin)
  _ = try await shop.orders.updateStatus(
    orderId: second.id, .object(["status": .string("cancelled")]), by: admin)
  return shop
}

@Suite struct ShopStateTests {
  @Test func replayingTheLogRebuildsTheState() async throws {
    let sink = InMemoryEventSink()
    let shop = try await populatedShop(sink: sink)
    let live = await shop.currentState()
    let replayed = ShopState(replaying: sink.events)
    #expect(replayed == live)
    #expect(replayed.catalog.products[1]?.variants.map(\.stock) == [48, 30])
    #expect(replayed.orders.orders[2]?.status == .cancelled)
    #expect(replayed.auth.tokens.count == 3)
  }

  @Test func snapshotEventsRecreateTheSameState() async throws {
    let sink = InMemoryEventSink()
    let shop = try await populatedShop(sink: sink)
    let state = ShopState(replaying: sink.events)
    let snapshot = state.snapshotEvents()
    let restored = ShopState(replaying: snapshot)
    #expect(restored == state)
    #expect(restored.sequences == state.sequences)
    #expect(restored.snapshotEvents() == snapshot)
    // Snapshots never move stock twice.
    #expect(!snapshot.contains { if case .orderPlaced = $0 { true } else { false } })
    _ = shop
  }

  @Test func idCountersSurviveASnapshotWithGaps() {
    var state = ShopState()
    state.apply(
      .sequencesRestored(ShopSequences(nextUserId: 7, nextCategoryId: 3, nextOrderId: 12)))
    let restored = ShopState(replaying: state.snapshotEvents())
    #expect(restored.sequences == ShopSequences(nextUserId: 7, nextCategoryId: 3, nextOrderId: 12))
  }

  @Test func servicesResumeFromAReplayedState() async throws {
    let sink = InMemoryEventSink()
    let before = try await populatedShop(sink: sink)
    let restarted = makeShop(sink: sink, state: ShopState(replaying: sink.events))
    let admin = try #require(await restarted.auth.user(named: "admin"))
    let user = try await restarted.auth.register(registerBody("carol"))
    #expect(user.id == 4)
    let login = try await restarted.auth.login(loginBody("carol"))
    #expect(restarted.auth.authenticate(token: login.token) == user)
    let product = try await makeProduct(restarted, admin: admin, name: "Soap", stocks: [1])
    #expect(product.id == 3 && product.variants[0].id == 3)
    let order = try await restarted.orders.placeOrder(orderBody([(1, 1, 48)]), by: user)
    #expect(order.id == 4 && order.items[0].id == 5)
    #expect(restarted.catalog.snapshot.current.products[0].variants[0].stock == 0)
    #expect(await restarted.orders.orders(visibleTo: admin).count == 4)
    _ = before
  }

  @Test func eventsRoundTripThroughTypeAndData() async throws {
    let sink = InMemoryEventSink()
    _ = try await populatedShop(sink: sink)
    var state = ShopState(replaying: sink.events)
    state.apply(.sequencesRestored(ShopSequences(nextUserId: 9)))
    let everything =
      sink.events + state.snapshotEvents() + [.allTokensRevoked(userId: 2, digests: ["ab", "cd"])]
    var types = Set<String>()
    for event in everything {
      types.insert(event.type)
      let decoded = try ShopEvent(type: event.type, data: event.encodeData())
      #expect(decoded == event)
    }
    #expect(types.count == 10)
  }

  @Test func decodingRefusesBadLines() {
    #expect(throws: ShopEventDecodingError.self) { try ShopEvent(type: "nope", data: .object([:])) }
    #expect(throws: ShopEventDecodingError.self) {
      try ShopEvent(
        type: "categoryCreated", data: .object(["id": .string("1"), "name": .string("x")]))
    }
    #expect(throws: ShopEventDecodingError.self) {
      try ShopEvent(
        type: "productCreated",
        data: .object([
          "id": .int(1), "name": .string("x"), "description": .string(""),
          "price": .number("1.234"),
          "category": .int(1), "variants": .array([]),
        ]))
    }
  }

  @Test func eventDataShape() {
    let order = Order(
      id: 1, userId: 2, userName: "u", status: .created,
      items: [OrderItem(id: 3, productId: 4, variantId: 5, quantity: 2, price: Money(cents: 1999))],
      createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    let data = ShopEvent.orderPlaced(order, stock: [StockDelta(variantId: 5, delta: -2)])
      .encodeData()
    #expect(
      String(decoding: data.encoded(), as: UTF8.self)
        == #"{"id":1,"user":2,"user_name":"u","created_at":"1970-01-01T00:00:00.000000Z","items":[{"id":3,"product":4,"variant":5,"quantity":2,"price":19.99}],"stock":[{"variant":5,"delta":-2}]}"#
    )
  }

  @Test func compactJSONEscapes() {
    let value: JSONValue = .object([
      "a\"b": .array([.string("line\nbreak\t\\ \u{01} é"), .bool(true), .null])
    ])
    #expect(
      String(decoding: value.encoded(), as: UTF8.self)
        == #"{"a\"b":["line\nbreak\t\\ \u0001 é",true,null]}"#)
  }
}
