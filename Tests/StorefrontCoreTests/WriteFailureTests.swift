import JSON
import Testing

@testable import StorefrontCore

/// When the log cannot be written, every mutation fails with `.unavailable` (503) and memory is
/// left as if it never happened.
@Suite struct WriteFailureTests {
  @Test func everyMutationFailsCleanly() async throws {
    let sink = SwitchableSink()
    let shop = makeShop(sink: sink)
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [3])
    let user = try await shop.auth.register(registerBody("u1"))
    let login = try await shop.auth.login(loginBody("u1"))
    let order = try await shop.orders.placeOrder(
      orderBody([(product.id, product.variants[0].id, 1)]), by: user)
    let before = await shop.currentState()
    let productsBody = shop.catalog.snapshot.productsJSON
    let eventCount = sink.events.count

    sink.isFailing = true
    func expectUnavailable<T>(_ call: () async throws -> T) async {
      let error = await shopError(call)
      #expect(error?.httpStatus == 503, "\(String(describing: error))")
    }
    await expectUnavailable { try await shop.auth.register(registerBody("u2")) }
    await expectUnavailable {
      try await shop.auth.createSuperuser(
        username: "root", email: "r@example.com", password: "12345678")
    }
    await expectUnavailable { try await shop.auth.login(loginBody("u1")) }
    await expectUnavailable { try await shop.auth.logout(token: login.token) }
    await expectUnavailable { try await shop.auth.logoutAll(user: user) }
    await expectUnavailable {
      try await shop.catalog.createCategory(.object(["name": .string("New")]), by: admin)
    }
    await expectUnavailable {
      try await shop.catalog.createProduct(
        .object(["name": .string("P"), "price": .number("1"), "category": .int(1)]), by: admin)
    }
    await expectUnavailable {
      try await shop.orders.placeOrder(
        orderBody([(product.id, product.variants[0].id, 2)]), by: user)
    }
    await expectUnavailable {
      try await shop.orders.updateStatus(
        orderId: order.id, .object(["status": .string("cancelled")]), by: admin)
    }

    #expect(await shop.currentState() == before)
    #expect(shop.catalog.snapshot.productsJSON == productsBody)
    #expect(sink.events.count == eventCount)
    #expect(shop.auth.authenticate(token: login.token) == user)

    // Nothing was left reserved or taken: once writes work again, the names and stock are free.
    sink.isFailing = false
    _ = try await shop.auth.register(registerBody("u2"))
    _ = try await shop.catalog.createCategory(.object(["name": .string("New")]), by: admin)
    _ = try await shop.orders.placeOrder(
      orderBody([(product.id, product.variants[0].id, 2)]), by: user)
    #expect(ShopState(replaying: sink.events) == (await shop.currentState()))
  }

  @Test func failedOrdersUnderConcurrencyReleaseTheirStock() async throws {
    let sink = SwitchableSink()
    let shop = makeShop(sink: sink)
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [10])
    let user = try await shop.auth.register(registerBody("u1"))
    sink.isFailing = true
    let body = orderBody([(product.id, product.variants[0].id, 1)])
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<50 { group.addTask { _ = try? await shop.orders.placeOrder(body, by: user) } }
    }
    sink.isFailing = false
    _ = try await shop.orders.placeOrder(
      orderBody([(product.id, product.variants[0].id, 10)]), by: user)
    #expect(await shop.catalog.product(id: product.id)?.variants[0].stock == 0)
  }
}
