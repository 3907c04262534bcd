import Foundation
import HTTPTestSupport
import JSON
import Testing

/// `shared/seed-api.txt`, step by step, against a fresh `storefront serve` child process: every
/// example works, with the shapes (and here even the ids) shown there.
@Suite("API: the seed document walk-through")
struct APISeedWalkthroughTests {
  @Test("register, login, catalog, order, list, status, logout as in seed-api.txt")
  func walkthrough() async throws {
    let data = try APIDataDirectory()
    let work = try APIDataDirectory()
    let (dataPath, workPath) = (data.path, work.path)

    // 1.1 Register User, first, so that testuser gets id 1 as in the document.
    let first = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath)
    }
    do {
      try await Self.register(APIClient(port: first.port))
    } catch {
      try await ClientThreads.one { try first.killHard() }
      throw error
    }
    let stopped = try await ClientThreads.one { try first.terminate() }
    #expect(stopped == 0, "\(first.standardError)")

    // The admin, made the documented way while no server holds the directory.
    let admin = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password", "--data-dir", dataPath,
    ])
    #expect(admin.status == 0, "\(admin.standardError)")

    let second = try await ClientThreads.one {
      try APIServeProcess(dataDir: dataPath, workDirectory: workPath)
    }
    do {
      try await Self.walk(APIClient(port: second.port))
    } catch {
      try await ClientThreads.one { try second.killHard() }
      throw error
    }
    let status = try await ClientThreads.one { try second.terminate() }
    #expect(status == 0, "\(second.standardError)")
  }

  static func register(_ client: APIClient) async throws {
    let registered = try await client.post(
      "/users/register/",
      #"{"username": "testuser", "email": "test@example.com", "password": "test12345"}"#)
    expectJSON(registered, 201, #"{"id": 1, "username": "testuser", "email": "test@example.com"}"#)
    #expect(APIJSON.keys(registered.json) == ["id", "username", "email"])
  }

  static func walk(_ client: APIClient) async throws {
    // 1.2 Login User
    let login = try await client.post(
      "/users/login/", #"{"username": "testuser", "password": "test12345"}"#)
    #expect(login.status == 200, "\(login)")
    #expect(APIJSON.keys(login.json) == ["token", "user_id", "username"])
    #expect(login.json["user_id"] == .int(1))
    #expect(login.json["username"] == .string("testuser"))
    let userToken = try #require(login.json["token"]?.stringValue)

    let adminToken = APIUser(
      id: 2, username: "admin", password: "admin-password",
      token: try await client.login("admin", "admin-password"))

    // 2.4 Create Category (Admin Only): made third, so that its id is 3 as in the document.
    for name in ["Haircare", "Makeup"] { _ = try await client.category(name, admin: adminToken) }
    let category = try await client.post(
      "/products/categories/create/", #"{"name": "Skincare"}"#, token: adminToken.token)
    expectJSON(category, 201, #"{"id": 3, "name": "Skincare"}"#)

    // 2.2 Create Product (Admin Only)
    let product = try await client.post(
      "/products/create/",
      #"""
      {
        "name": "Sunscreen",
        "description": "SPF 30 sunscreen",
        "price": 550,
        "category": 3,
        "variants": [
          {
            "size": "100ml",
            "color": "White",
            "stock": 50
          },
          {
            "size": "200ml",
            "color": "Yellow",
            "stock": 30
          }
        ]
      }
      """#, token: adminToken.token)
    let sunscreen = #"""
      {"id": 1, "name": "Sunscreen", "description": "SPF 30 sunscreen", "price": 550, "category": 3,
       "variants": [{"id": 1, "size": "100ml", "color": "White", "stock": 50},
                    {"id": 2, "size": "200ml", "color": "Yellow", "stock": 30}]}
      """#
    expectJSON(product, 201, sunscreen)
    #expect(
      APIJSON.keys(product.json) == ["id", "name", "description", "price", "category", "variants"])
    #expect(
      APIJSON.keys(product.json["variants"]?.jsonArray?.first ?? .null) == [
        "id", "size", "color", "stock",
      ])
    // Product 3 of the order example: a 300 product without variants.
    _ = try await client.product(
      #"{"name": "Lotion", "price": 120.5, "category": 3, "variants": [{"size": "50ml", "color": "", "stock": 5}]}"#,
      admin: adminToken)
    _ = try await client.product(
      #"{"name": "Towel", "description": "Cotton", "price": 300, "category": 1}"#,
      admin: adminToken)

    // 2.1 List Products (public)
    let products = try await client.get("/products/")
    #expect(products.status == 200)
    let list = products.json.jsonArray ?? []
    #expect(list.map { $0["id"]?.intValue } == [1, 2, 3])
    #expect(list.first.map(APIJSON.canonical) == APIJSON.canonical(APIJSON.parse(sunscreen)))
    #expect(
      products.text.hasPrefix(
        #"[{"id":1,"name":"Sunscreen","description":"SPF 30 sunscreen","price":550,"category":3,"variants":[{"id":1,"size":"100ml","color":"White","stock":50}"#
      ), "\(products)")

    // 2.3 List Categories (public)
    expectJSON(
      try await client.get("/products/categories/"), 200,
      #"[{"id": 1, "name": "Haircare"}, {"id": 2, "name": "Makeup"}, {"id": 3, "name": "Skincare"}]"#
    )

    // 3.1 Create Order
    let order = try await client.post(
      "/orders/",
      #"""
      {
        "items": [
          {
            "product": 1,
            "variant": 2,
            "quantity": 2
          },
          {
            "product": 3,
            "quantity": 1
          }
        ]
      }
      """#, token: userToken)
    let seedOrder = #"""
      {"id": 1, "user": 1, "user_name": "testuser", "status": "created",
       "items": [{"id": 1, "product": 1, "variant": 2, "quantity": 2, "price": 550},
                 {"id": 2, "product": 3, "variant": null, "quantity": 1, "price": 300}],
       "created_at": "<timestamp>", "updated_at": "<timestamp>"}
      """#
    expectJSON(order, 201, seedOrder, redactTimestamps: true)
    #expect(
      APIJSON.keys(order.json) == [
        "id", "user", "user_name", "status", "items", "created_at", "updated_at",
      ])
    #expect(
      APIJSON.keys(order.json["items"]?.jsonArray?.first ?? .null) == [
        "id", "product", "variant", "quantity", "price",
      ])

    // 3.2 List Orders: users see their own, the admin sees all.
    let own = try await client.get("/orders/", token: userToken)
    expectJSON(own, 200, "[\(seedOrder)]", redactTimestamps: true)
    #expect(own.json.jsonArray?.first == order.json)
    let all = try await client.get("/orders/", token: adminToken.token)
    #expect(all.json == own.json)

    // 3.3 Update Order Status (Admin Only)
    let shipped = try await client.patch(
      "/orders/1/update-status/", #"{"status": "shipped"}"#, token: adminToken.token)
    expectJSON(shipped, 200, #"{"id": 1, "status": "shipped"}"#)
    let afterUpdate = try await client.get("/orders/", token: userToken)
    #expect(afterUpdate.json.jsonArray?.first?["status"] == .string("shipped"))

    // 4 Authentication rules: protected APIs refuse anonymous callers and non-admins.
    for (method, path) in [
      ("POST", "/users/logout/"), ("POST", "/products/create/"),
      ("POST", "/products/categories/create/"), ("POST", "/orders/"), ("GET", "/orders/"),
    ] {
      expectDetail(
        try await client.request(method, path, body: .json("{}")), 401,
        "Authentication credentials were not provided.")
    }
    expectDetail(
      try await client.post("/products/categories/create/", #"{"name": "X"}"#, token: userToken),
      403, "You do not have permission to perform this action.")

    // 1.3 Logout User
    let logout = try await client.post("/users/logout/", token: userToken)
    expectJSON(logout, 200, #"{"message": "Logged out successfully"}"#)
    expectDetail(try await client.get("/orders/", token: userToken), 401, "Invalid token.")
  }
}
