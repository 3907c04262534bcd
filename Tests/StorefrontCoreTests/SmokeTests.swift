import JSON
import Testing

@testable import StorefrontCore

@Suite struct SmokeTests {
  @Test func registerLoginOrder() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let product = try await makeProduct(shop, admin: admin, stocks: [5])
    let user = try await shop.auth.register(registerBody("testuser"))
    let login = try await shop.auth.login(loginBody("testuser"))
    #expect(await shop.auth.authenticate(token: login.token) == user)
    let order = try await shop.orders.placeOrder(
      orderBody([(product.id, product.variants[0].id, 2)]), by: user)
    #expect(order.items[0].price == Money(cents: 55000))
    #expect(shop.catalog.snapshot.current.products[0].variants[0].stock == 3)
  }
}
