import Foundation
import HTTPTestSupport
import Testing

/// The example C host, built with the system compiler against libstorefront-embed.so, serving
/// its own route and the Storefront API on its own event loop.
@Suite(.serialized)
struct HostServesAPITests {
  static let adminPassword = "Adm1n-secret-pass"
  static let userPassword = "Us3r-secret-pass"

  /// A data directory with a superuser, made by the `storefront` executable beforehand.
  private static func dataDirWithAdmin(in scratch: TemporaryDirectory) throws -> String {
    let dataDir = scratch.path + "/data"
    let created = try ChildProcess.run(
      EmbeddingPaths.storefrontExecutable,
      [
        "createsuperuser", "--data-dir", dataDir, "--username", "admin", "--email",
        "admin@example.com", "--password", adminPassword,
      ])
    guard created.status == 0 else {
      throw TestError("createsuperuser failed: \(created.stdout)\(created.stderr)")
    }
    return dataDir
  }

  @Test func hostRouteAPIRoutesRestartAndSIGTERM() throws {
    let scratch = try TemporaryDirectory()
    let dataDir = try Self.dataDirWithAdmin(in: scratch)

    let host = try HostProcess(dataDir: dataDir)
    let client = try ShopClient(port: host.port)

    // The host's own route, answered by the host's C callback.
    let ping = try client.connection.request("GET", "/host/ping")
    #expect(ping.status == 200)
    #expect(ping.text == "pong\n")

    // Catalog by the admin.
    let admin = try client.login("admin", Self.adminPassword)
    let category = try client.call(
      "POST", "/api/products/categories/create/", json: ["name": "Shirts"], token: admin)
    #expect(category.status == 201)
    let categoryID = try #require((category.body as? [String: Any])?["id"] as? Int)
    let product = try client.call(
      "POST", "/api/products/create/",
      json: [
        "name": "Tee", "price": "12.50", "category": categoryID,
        "variants": [["size": "M", "color": "red", "stock": 5]],
      ], token: admin)
    #expect(product.status == 201)
    let productBody = try #require(product.body as? [String: Any])
    let productID = try #require(productBody["id"] as? Int)
    let variants = try #require(productBody["variants"] as? [[String: Any]])
    let variantID = try #require(variants.first?["id"] as? Int)

    // A customer registers, logs in, orders, lists.
    let registered = try client.call(
      "POST", "/api/users/register/",
      json: ["username": "carol", "email": "carol@example.com", "password": Self.userPassword])
    #expect(registered.status == 201)
    let token = try client.login("carol", Self.userPassword)
    let order = try client.call(
      "POST", "/api/orders/",
      json: ["items": [["product": productID, "variant": variantID, "quantity": 2]]],
      token: token)
    #expect(order.status == 201)
    let orderID = try #require((order.body as? [String: Any])?["id"] as? Int)
    let listed = try client.call("GET", "/api/orders/", token: token)
    #expect(listed.status == 200)
    #expect((listed.body as? [[String: Any]])?.map { $0["id"] as? Int } == [orderID])

    // Outside the prefix Storefront answers 404; anonymous access to orders is refused.
    #expect(try client.connection.request("GET", "/elsewhere").status == 404)
    #expect(try client.call("GET", "/api/orders/").status == 401)

    client.connection.close()
    #expect(host.terminate() == 0, "host stderr:\n\(host.stderr)")
    #expect(host.stderr.contains("host: stopped"))

    // A new host on the same data directory has everything back from the log.
    let again = try HostProcess(dataDir: dataDir)
    let second = try ShopClient(port: again.port)
    let tokenAgain = try second.login("carol", Self.userPassword)
    let relisted = try second.call("GET", "/api/orders/", token: tokenAgain)
    #expect(relisted.status == 200)
    #expect((relisted.body as? [[String: Any]])?.map { $0["id"] as? Int } == [orderID])
    let products = try second.call("GET", "/api/products/")
    let stock =
      ((products.body as? [[String: Any]])?.first?["variants"] as? [[String: Any]])?
      .first?["stock"] as? Int
    #expect(stock == 3)
    second.connection.close()
    #expect(again.terminate() == 0, "host stderr:\n\(again.stderr)")
  }

  @Test func sigtermWithKeepAliveConnectionsExitsZero() throws {
    let scratch = try TemporaryDirectory()
    let host = try HostProcess(dataDir: scratch.path + "/data")
    // Connections left open (keep-alive) through Storefront and the host route.
    let api = try ShopClient(port: host.port)
    #expect(try api.call("GET", "/api/products/").status == 200)
    let ping = try TestConnection(port: host.port)
    #expect(try ping.request("GET", "/host/ping").status == 200)
    #expect(host.terminate() == 0, "host stderr:\n\(host.stderr)")
  }
}
