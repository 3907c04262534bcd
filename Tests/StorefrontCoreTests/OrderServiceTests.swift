import JSON
import Testing

@testable import StorefrontCore

@Suite struct OrderServiceTests {
  /// The seed document's example: product 1 with variant 2, product 3 without variants.
  @Test func placesTheSeedExampleOrder() async throws {
    let clock = TestClock()
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink, clock: clock)
    let admin = try await makeAdmin(shop)
    let sunscreen = try await makeProduct(shop, admin: admin, stocks: [50, 30])
    _ = try await makeProduct(shop, admin: admin, name: "Hat", price: "12.5", stocks: [1])
    let giftCard = try await shop.catalog.createProduct(
      .object(["name": .string("Gift card"), "price": .number("300"), "category": .int(1)]),
      by: admin)
    #expect(giftCard.id == 3)
    let user = try await shop.auth.register(registerBody("testuser"))
    let order = try await shop.orders.placeOrder(
      .object([
        "items": .array([
          .object(["product": .int(1), "variant": .int(2), "quantity": .int(2)]),
          .object(["product": .int(3), "quantity": .int(1)]),
        ])
      ]), by: user)
    #expect(
      order.json
        == .object([
          "id": .int(1), "user": .int(user.id), "user_name": .string("testuser"),
          "status": .string("created"),
          "items": .array([
            .object([
              "id": .int(1), "product": .int(1), "variant": .int(2), "quantity": .int(2),
              "price": .number("550"),
            ]),
            .object([
              "id": .int(2), "product": .int(3), "variant": .null, "quantity": .int(1),
              "price": .number("300"),
            ]),
          ]),
          "created_at": .string("2026-01-14T05:07:06.527149Z"),
          "updated_at": .string("2026-01-14T05:07:06.527149Z"),
        ]))
    #expect(await shop.catalog.product(id: sunscreen.id)?.variants.map(\.stock) == [50, 28])
    #expect(shop.catalog.snapshot.current.products[0].variants[1].stock == 28)
    #expect(sink.events.last == .orderPlaced(order, stock: [StockDelta(variantId: 2, delta: -2)]))
  }

  @Test func listsOwnOrdersOrAllForStaff() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [100])
    let alice = try await shop.auth.register(registerBody("alice"))
    let bob = try await shop.auth.register(registerBody("bob"))
    let line = [(product.id, Optional(product.variants[0].id), 1)]
    _ = try await shop.orders.placeOrder(orderBody(line), by: alice)
    _ = try await shop.orders.placeOrder(orderBody(line), by: bob)
    _ = try await shop.orders.placeOrder(orderBody(line), by: alice)
    #expect(await shop.orders.orders(visibleTo: alice).map(\.id) == [1, 3])
    #expect(await shop.orders.orders(visibleTo: bob).map(\.id) == [2])
    #expect(await shop.orders.orders(visibleTo: admin).map(\.id) == [1, 2, 3])
    #expect(
      await shop.orders.orders(visibleTo: admin).map(\.userName) == ["alice", "bob", "alice"])
  }

  @Test func listLevelErrors() async throws {
    let shop = makeShop()
    let user = try await shop.auth.register(registerBody("u1"))
    func body(_ items: JSONValue?) -> JSONValue {
      items.map { .object(["items": $0]) } ?? .object([:])
    }
    #expect(
      await shopError { try await shop.orders.placeOrder(body(nil), by: user) }?.body
        == fieldError("items", "This field is required."))
    #expect(
      await shopError { try await shop.orders.placeOrder(body(.null), by: user) }?.body
        == fieldError("items", "This field may not be null."))
    #expect(
      await shopError { try await shop.orders.placeOrder(body(.array([])), by: user) }?.body
        == .object([
          "items": .object(["non_field_errors": .array([.string("This list may not be empty.")])])
        ]))
    #expect(
      await shopError { try await shop.orders.placeOrder(body(.object([:])), by: user) }?.body
        == .object([
          "items": .object([
            "non_field_errors": .array([.string("Expected a list of items but got type \"dict\".")])
          ])
        ]))
    #expect(
      await shopError { try await shop.orders.placeOrder(.array([]), by: user) }?.body
        == fieldError("non_field_errors", "Invalid data. Expected a dictionary, but got list."))
  }

  @Test func itemFieldErrorsAreKeyedByIndex() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [5])
    let user = try await shop.auth.register(registerBody("u1"))
    let error = await shopError {
      try await shop.orders.placeOrder(
        .object([
          "items": .array([
            .object(["product": .int(product.id), "variant": .int(1), "quantity": .int(1)]),
            .object(["product": .int(product.id), "variant": .int(1), "quantity": .int(0)]),
            .object(["product": .int(99), "variant": .string("abc"), "quantity": .number("1.5")]),
            .object([:]),
            .number("7"),
          ])
        ]), by: user)
    }
    #expect(
      error?.body
        == .object([
          "items": .object([
            "1": .object([
              "quantity": .array([.string("Ensure this value is greater than or equal to 1.")])
            ]),
            "2": .object([
              "product": .array([.string("Invalid pk \"99\" - object does not exist.")]),
              "variant": .array([.string("Incorrect type. Expected pk value, received str.")]),
              "quantity": .array([.string("A valid integer is required.")]),
            ]),
            "3": .object([
              "product": .array([.string("This field is required.")]),
              "quantity": .array([.string("This field is required.")]),
            ]),
            "4": .object([
              "non_field_errors": .array([
                .string("Invalid data. Expected a dictionary, but got int.")
              ])
            ]),
          ])
        ]))
    let unknownVariant = await shopError {
      try await shop.orders.placeOrder(orderBody([(product.id, 42, 1)]), by: user)
    }
    #expect(
      unknownVariant?.body
        == .object([
          "items": .object([
            "0": .object([
              "variant": .array([.string("Invalid pk \"42\" - object does not exist.")])
            ])
          ])
        ]))
  }

  @Test func orderRules() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let first = try await makeProduct(shop, admin: admin, stocks: [5])
    let second = try await makeProduct(shop, admin: admin, name: "Lotion", stocks: [1, 3])
    let user = try await shop.auth.register(registerBody("u1"))
    let foreign = await shopError {
      try await shop.orders.placeOrder(orderBody([(first.id, second.variants[0].id, 1)]), by: user)
    }
    #expect(foreign?.body == fieldError("items", "Variant 2 does not belong to product 1."))
    let noVariant = await shopError {
      try await shop.orders.placeOrder(orderBody([(first.id, nil, 1)]), by: user)
    }
    #expect(noVariant?.body == fieldError("items", "This product has variants; choose one."))
    let nullVariant = await shopError {
      try await shop.orders.placeOrder(
        .object([
          "items": .array([.object(["product": .int(1), "variant": .null, "quantity": .int(1)])])
        ]), by: user)
    }
    #expect(nullVariant?.body == fieldError("items", "This product has variants; choose one."))
    let short = await shopError {
      try await shop.orders.placeOrder(orderBody([(second.id, second.variants[0].id, 2)]), by: user)
    }
    #expect(short?.body == fieldError("items", "Insufficient stock for variant 2: 1 available."))
    // All or nothing: a good first item does not go through when the second lacks stock.
    let partial = await shopError {
      try await shop.orders.placeOrder(
        orderBody([(first.id, first.variants[0].id, 5), (second.id, second.variants[1].id, 4)]),
        by: user)
    }
    #expect(partial?.body == fieldError("items", "Insufficient stock for variant 3: 3 available."))
    // The same variant twice counts once in all.
    let twice = await shopError {
      try await shop.orders.placeOrder(
        orderBody([(second.id, second.variants[1].id, 2), (second.id, second.variants[1].id, 2)]),
        by: user)
    }
    #expect(twice?.body == fieldError("items", "Insufficient stock for variant 3: 1 available."))
    #expect(await shop.catalog.product(id: first.id)?.variants[0].stock == 5)
    #expect(await shop.catalog.product(id: second.id)?.variants.map(\.stock) == [1, 3])
    #expect(await shop.orders.orders(visibleTo: admin).isEmpty)
    // Exactly the stock is fine.
    _ = try await shop.orders.placeOrder(orderBody([(first.id, first.variants[0].id, 5)]), by: user)
    #expect(await shop.catalog.product(id: first.id)?.variants[0].stock == 0)
  }

  @Test func productsWithoutVariantsHaveNoStockLimit() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [])
    let user = try await shop.auth.register(registerBody("u1"))
    let order = try await shop.orders.placeOrder(
      orderBody([(product.id, nil, 1_000_000)]), by: user)
    #expect(order.items[0].variantId == nil)
  }

  @Test func encodedListMatchesTheOrdersAndFollowsStatusChanges() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [100])
    let alice = try await shop.auth.register(registerBody("alice"))
    let line = [(product.id, Optional(product.variants[0].id), 1)]
    let first = try await shop.orders.placeOrder(orderBody(line), by: alice)
    _ = try await shop.orders.placeOrder(orderBody(line), by: alice)
    func expectListMatches(_ user: User) async {
      let expected = JSONValue.array(await shop.orders.orders(visibleTo: user).map(\.json))
      #expect(await shop.orders.encodedOrderList(visibleTo: user) == expected.encoded())
    }
    await expectListMatches(alice)
    await expectListMatches(admin)
    _ = try await shop.orders.updateStatus(
      orderId: first.id, .object(["status": .string("shipped")]), by: admin)
    await expectListMatches(alice)
    let listed = try JSONParser.parse(await shop.orders.encodedOrderList(visibleTo: alice))
    guard case .array(let orders) = listed else {
      Issue.record("not an array")
      return
    }
    #expect(orders.first?["status"] == .string("shipped"))
  }

  @Test func statusChanges() async throws {
    let clock = TestClock()
    let shop = makeShop(clock: clock)
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [10])
    let user = try await shop.auth.register(registerBody("u1"))
    let variant = product.variants[0].id
    let order = try await shop.orders.placeOrder(orderBody([(product.id, variant, 4)]), by: user)
    let paid: JSONValue = .object(["status": .string("paid")])

    #expect(
      await shopError { try await shop.orders.updateStatus(orderId: order.id, paid, by: user) }
        == .forbidden)
    let missing = await shopError {
      try await shop.orders.updateStatus(orderId: 99, paid, by: admin)
    }
    #expect(missing == .orderNotFound)
    #expect(missing?.httpStatus == 404)
    #expect(missing?.body == .object(["detail": .string("No Order matches the given query.")]))
    #expect(
      await shopError {
        try await shop.orders.updateStatus(
          orderId: order.id, .object(["status": .string("foo")]), by: admin)
      }?.body
        == fieldError("status", "\"foo\" is not a valid choice."))
    #expect(
      await shopError {
        try await shop.orders.updateStatus(orderId: order.id, .object([:]), by: admin)
      }?.body
        == fieldError("status", "This field is required."))

    clock.advance(seconds: 5)
    let updated = try await shop.orders.updateStatus(orderId: order.id, paid, by: admin)
    #expect(updated.statusJSON == .object(["id": .int(order.id), "status": .string("paid")]))
    #expect(updated.updatedAt == order.createdAt.adding(seconds: 5))
    #expect(updated.createdAt == order.createdAt)

    clock.advance(seconds: 5)
    let cancelled = try await shop.orders.updateStatus(
      orderId: order.id, .object(["status": .string("cancelled")]), by: admin)
    #expect(cancelled.status == .cancelled)
    #expect(await shop.catalog.product(id: product.id)?.variants[0].stock == 10)
    #expect(shop.catalog.snapshot.current.products[0].variants[0].stock == 10)
    let again = await shopError {
      try await shop.orders.updateStatus(orderId: order.id, paid, by: admin)
    }
    #expect(again?.body == fieldError("status", "Cannot change status of a cancelled order."))

    let second = try await shop.orders.placeOrder(orderBody([(product.id, variant, 1)]), by: user)
    _ = try await shop.orders.updateStatus(
      orderId: second.id, .object(["status": .string("delivered")]), by: admin)
    let delivered = await shopError {
      try await shop.orders.updateStatus(
        orderId: second.id, .object(["status": .string("cancelled")]), by: admin)
    }
    #expect(delivered?.body == fieldError("status", "Cannot change status of a delivered order."))
    #expect(await shop.catalog.product(id: product.id)?.variants[0].stock == 9)
  }

  @Test func concurrentCancellationsGiveStockBackOnce() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [10])
    let user = try await shop.auth.register(registerBody("u1"))
    let order = try await shop.orders.placeOrder(
      orderBody([(product.id, product.variants[0].id, 3)]), by: user)
    let successes = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<10 {
        group.addTask {
          (try? await shop.orders.updateStatus(
            orderId: order.id, .object(["status": .string("cancelled")]), by: admin)) != nil
        }
      }
      return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(successes == 1)
    #expect(await shop.catalog.product(id: product.id)?.variants[0].stock == 10)
  }

  /// 100 concurrent orders from 10 users against a variant with stock 10.
  @Test func concurrentOrdersNeverOversell() async throws {
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink)
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [10])
    var users: [User] = []
    for index in 0..<10 { users.append(try await shop.auth.register(registerBody("user\(index)"))) }
    let body = orderBody([(product.id, product.variants[0].id, 1)])
    let results = await withTaskGroup(of: Result<Order, ShopError>.self) { group in
      for index in 0..<100 {
        let user = users[index % 10]
        group.addTask {
          do { return .success(try await shop.orders.placeOrder(body, by: user)) } catch let error
            as ShopError
          {
            return .failure(error)
          } catch { fatalError("unexpected \(error)") }
        }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    let successes = results.compactMap { try? $0.get() }
    #expect(successes.count == 10)
    for case .failure(let error) in results {
      #expect(error.body == fieldError("items", "Insufficient stock for variant 1: 0 available."))
    }
    #expect(await shop.catalog.product(id: product.id)?.variants[0].stock == 0)
    #expect(await shop.orders.orders(visibleTo: admin).count == 10)
    #expect(Set(successes.map(\.id)).count == 10)

    // The same after a restart: replay what was written.
    let replayed = ShopState(replaying: sink.events)
    #expect(replayed == (await shop.currentState()))
    #expect(replayed.catalog.products[product.id]?.variants[0].stock == 0)
    #expect(replayed.orders.orders.count == 10)
  }
}
