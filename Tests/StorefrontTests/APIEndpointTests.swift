import JSON
import Testing

/// Every endpoint's happy path over real HTTP, with the exact shapes of API.md.
@Suite("API endpoints: happy paths over HTTP")
struct APIEndpointTests {
  @Test("register answers 201 with {id, username, email} and never the password")
  func register() async throws {
    try await withAPIServer { server in
      let response = try await server.client.post(
        "/users/register/",
        #"{"username": "testuser", "email": "test@example.com", "password": "test12345"}"#)
      expectJSON(response, 201, #"{"id": 1, "username": "testuser", "email": "test@example.com"}"#)
      #expect(APIJSON.keys(response.json) == ["id", "username", "email"])
      #expect(!response.text.contains("test12345"))
      let second = try await server.client.register("second")
      #expect(second == 2)
    }
  }

  @Test("login answers {token, user_id, username}; every login issues a new token, all valid")
  func login() async throws {
    try await withAPIServer { server in
      let id = try await server.client.register("testuser", password: "test12345")
      let first = try await server.client.post(
        "/users/login/", #"{"username": "testuser", "password": "test12345"}"#)
      #expect(first.status == 200, "\(first)")
      #expect(APIJSON.keys(first.json) == ["token", "user_id", "username"])
      #expect(first.json["user_id"] == .int(id))
      #expect(first.json["username"] == .string("testuser"))
      let token = try #require(first.json["token"]?.stringValue)
      #expect(token.wholeMatch(of: /[0-9a-f]{40}/) != nil, "token \(token)")
      let secondToken = try await server.client.login("testuser", "test12345")
      #expect(secondToken != token)
      for live in [token, secondToken] {
        #expect(try await server.client.get("/orders/", token: live).status == 200)
      }
    }
  }

  @Test("logout revokes the token it was called with, at once, and only that one")
  func logout() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("testuser")
      let other = try await server.client.login("testuser")
      let response = try await server.client.post("/users/logout/", token: user.token)
      expectJSON(response, 200, #"{"message": "Logged out successfully"}"#)
      expectDetail(
        try await server.client.get("/orders/", token: user.token), 401, "Invalid token.")
      expectDetail(
        try await server.client.post("/users/logout/", token: user.token), 401, "Invalid token.")
      #expect(try await server.client.get("/orders/", token: other).status == 200)
    }
  }

  @Test("logout-all revokes every token of the caller and no one else's")
  func logoutAll() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("testuser")
      let second = try await server.client.login("testuser")
      let bystander = try await server.client.user("bystander")
      let response = try await server.client.post("/users/logout-all/", token: user.token)
      expectJSON(response, 200, #"{"message": "Logged out of all sessions"}"#)
      for token in [user.token, second] {
        expectDetail(try await server.client.get("/orders/", token: token), 401, "Invalid token.")
      }
      #expect(try await server.client.get("/orders/", token: bystander.token).status == 200)
      // A new login works again.
      let fresh = try await server.client.login("testuser")
      #expect(try await server.client.get("/orders/", token: fresh).status == 200)
    }
  }

  @Test("categories: admin creates {id, name}; the list is public and by ascending id")
  func categories() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      expectJSON(try await server.client.get("/products/categories/"), 200, "[]")
      let created = try await server.client.post(
        "/products/categories/create/", #"{"name": "Skincare"}"#, token: admin.token)
      expectJSON(created, 201, #"{"id": 1, "name": "Skincare"}"#)
      #expect(APIJSON.keys(created.json) == ["id", "name"])
      _ = try await server.client.category("Haircare", admin: admin)
      _ = try await server.client.category("Accessories", admin: admin)
      expectJSON(
        try await server.client.get("/products/categories/"), 200,
        #"[{"id": 1, "name": "Skincare"}, {"id": 2, "name": "Haircare"}, {"id": 3, "name": "Accessories"}]"#
      )
    }
  }

  @Test("products: admin creates with nested variants; prices render as 550, 19.99, 0.5")
  func products() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let skincare = try await server.client.category("Skincare", admin: admin)
      expectJSON(try await server.client.get("/products/"), 200, "[]")
      let created = try await server.client.post(
        "/products/create/",
        #"""
        {"name": "Sunscreen", "description": "SPF 30 sunscreen", "price": 550, "category": \#(skincare),
         "variants": [{"size": "100ml", "color": "White", "stock": 50},
                      {"size": "200ml", "color": "Yellow", "stock": 30}]}
        """#, token: admin.token)
      let sunscreen = #"""
        {"id": 1, "name": "Sunscreen", "description": "SPF 30 sunscreen", "price": 550, "category": 1,
         "variants": [{"id": 1, "size": "100ml", "color": "White", "stock": 50},
                      {"id": 2, "size": "200ml", "color": "Yellow", "stock": 30}]}
        """#
      expectJSON(created, 201, sunscreen)
      #expect(
        APIJSON.keys(created.json) == [
          "id", "name", "description", "price", "category", "variants",
        ])
      #expect(created.text.contains(#""price":550,"#), "\(created)")
      // Defaults: description "", variants []; a price with cents; a string price; 0.50.
      expectJSON(
        try await server.client.post(
          "/products/create/", #"{"name": "Lip balm", "price": 19.99, "category": 1}"#,
          token: admin.token), 201,
        #"{"id": 2, "name": "Lip balm", "description": "", "price": 19.99, "category": 1, "variants": []}"#
      )
      expectJSON(
        try await server.client.post(
          "/products/create/",
          #"{"name": "Serum", "price": "550.00", "category": 1, "variants": [{"stock": 3}]}"#,
          token: admin.token), 201,
        #"""
        {"id": 3, "name": "Serum", "description": "", "price": 550, "category": 1,
         "variants": [{"id": 3, "size": "", "color": "", "stock": 3}]}
        """#)
      expectJSON(
        try await server.client.post(
          "/products/create/", #"{"name": "Sample", "price": 0.50, "category": 1}"#,
          token: admin.token), 201,
        #"{"id": 4, "name": "Sample", "description": "", "price": 0.5, "category": 1, "variants": []}"#
      )
      let list = try await server.client.get("/products/")
      #expect(list.status == 200)
      guard case .array(let products) = list.json else {
        Issue.record("not a list: \(list)")
        return
      }
      #expect(products.map { $0["id"]?.intValue } == [1, 2, 3, 4])
      #expect(products.map { $0["price"]?.numberLiteral } == ["550", "19.99", "550", "0.5"])
      #expect(APIJSON.canonical(products[0]) == APIJSON.canonical(APIJSON.parse(sunscreen)))
    }
  }

  @Test("orders: 201 with price snapshot and variant null; stock decremented")
  func placeOrder() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let user = try await server.client.user("testuser")
      _ = try await server.client.category("Skincare", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "100ml", "color": "White", "stock": 50}, {"size": "200ml", "color": "Yellow", "stock": 30}]}"#,
        admin: admin)
      _ = try await server.client.product(
        #"{"name": "Towel", "price": 300, "category": 1}"#, admin: admin)
      let response = try await server.client.post(
        "/orders/",
        #"{"items": [{"product": 1, "variant": 2, "quantity": 2}, {"product": 2, "quantity": 1}]}"#,
        token: user.token)
      expectJSON(
        response, 201,
        #"""
        {"id": 1, "user": \#(user.id), "user_name": "testuser", "status": "created",
         "items": [{"id": 1, "product": 1, "variant": 2, "quantity": 2, "price": 550},
                   {"id": 2, "product": 2, "variant": null, "quantity": 1, "price": 300}],
         "created_at": "<timestamp>", "updated_at": "<timestamp>"}
        """#, redactTimestamps: true)
      #expect(
        APIJSON.keys(response.json) == [
          "id", "user", "user_name", "status", "items", "created_at", "updated_at",
        ])
      #expect(response.json["created_at"] == response.json["updated_at"])
      #expect(response.text.contains(#""variant":null"#), "\(response)")
      #expect(try await server.client.stock(ofVariant: 2) == 28)
      #expect(try await server.client.stock(ofVariant: 1) == 50)
      // An explicit null variant is the same as none.
      let nullVariant = try await server.client.order(
        #"{"items": [{"product": 2, "variant": null, "quantity": 3}]}"#, user: user)
      #expect(nullVariant["items"]?.jsonArray?.first?["variant"] == .null)
      #expect(nullVariant["id"] == .int(2))
    }
  }

  @Test("order list: a user sees only their own orders, an admin sees all, by ascending id")
  func listOrders() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let alice = try await server.client.user("alice")
      let bob = try await server.client.user("bob")
      _ = try await server.client.category("Misc", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Pen", "price": 1.25, "category": 1}"#, admin: admin)
      for (user, quantity) in [(alice, 1), (bob, 2), (alice, 3), (bob, 4), (alice, 5)] {
        _ = try await server.client.order(
          #"{"items": [{"product": 1, "quantity": \#(quantity)}]}"#, user: user)
      }
      func ids(_ response: APIResponse) -> [Int?] {
        response.json.jsonArray?.map { $0["id"]?.intValue } ?? []
      }
      let aliceOrders = try await server.client.get("/orders/", token: alice.token)
      #expect(aliceOrders.status == 200)
      #expect(ids(aliceOrders) == [1, 3, 5])
      #expect(
        aliceOrders.json.jsonArray?.allSatisfy { $0["user_name"] == .string("alice") } == true)
      #expect(
        aliceOrders.json.jsonArray?.first?["items"]?.jsonArray?.first?["price"] == .number("1.25"))
      #expect(ids(try await server.client.get("/orders/", token: bob.token)) == [2, 4])
      let all = try await server.client.get("/orders/", token: admin.token)
      #expect(ids(all) == [1, 2, 3, 4, 5])
      _ = APIJSON.redactingTimestamps(all.json)
      let nobody = try await server.client.user("nobody")
      expectJSON(try await server.client.get("/orders/", token: nobody.token), 200, "[]")
    }
  }

  @Test(
    "status update: admin sets a status, answer {id, status}; updated_at moves; cancel returns stock"
  )
  func updateStatus() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let user = try await server.client.user("testuser")
      _ = try await server.client.category("Skincare", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "100ml", "color": "White", "stock": 5}]}"#,
        admin: admin)
      let placed = try await server.client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 2}]}"#, user: user)
      #expect(try await server.client.stock(ofVariant: 1) == 3)
      for status in ["paid", "shipped", "created", "paid"] {
        let response = try await server.client.patch(
          "/orders/1/update-status/", #"{"status": "\#(status)"}"#, token: admin.token)
        expectJSON(response, 200, #"{"id": 1, "status": "\#(status)"}"#)
        #expect(APIJSON.keys(response.json) == ["id", "status"])
      }
      let listed = try #require(
        try await server.client.get("/orders/", token: user.token).json.jsonArray?.first)
      #expect(listed["status"] == .string("paid"))
      #expect(listed["created_at"] == placed["created_at"])
      let created = try #require(placed["created_at"]?.stringValue)
      let updated = try #require(listed["updated_at"]?.stringValue)
      #expect(APIJSON.isTimestamp(updated))
      #expect(updated >= created)
      let cancelled = try await server.client.patch(
        "/orders/1/update-status/", #"{"status": "cancelled"}"#, token: admin.token)
      expectJSON(cancelled, 200, #"{"id": 1, "status": "cancelled"}"#)
      #expect(try await server.client.stock(ofVariant: 1) == 5)
      // Without the trailing slash, as with it.
      let second = try await server.client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#, user: user)
      #expect(second["id"] == .int(2))
      expectJSON(
        try await server.client.patch(
          "/orders/2/update-status", #"{"status": "delivered"}"#, token: admin.token), 200,
        #"{"id": 2, "status": "delivered"}"#)
      #expect(try await server.client.stock(ofVariant: 1) == 4)
    }
  }

  @Test("paths without the trailing slash are answered as with it")
  func trailingSlash() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      _ = try await server.client.register("testuser")
      #expect(try await server.client.get("/products").status == 200)
      #expect(try await server.client.get("/products/categories").status == 200)
      let login = try await server.client.post(
        "/users/login", #"{"username": "testuser", "password": "password-123"}"#)
      #expect(login.status == 200, "\(login)")
      expectJSON(
        try await server.client.post(
          "/products/categories/create", #"{"name": "A"}"#, token: admin.token), 201,
        #"{"id": 1, "name": "A"}"#)
      expectJSON(try await server.client.get("/orders", token: admin.token), 200, "[]")
    }
  }
}

@Suite("API endpoints: token limits")
struct APITokenLimitTests {
  @Test("a login beyond auth.max_tokens_per_user revokes the oldest token, also after restart")
  func oldestTokenRevoked() async throws {
    var server = try await APITestServer.start(directory: try APIDataDirectory()) {
      $0.auth.maxTokensPerUser = 2
    }
    do {
      let first = try await server.client.user("testuser")
      let second = try await server.client.login("testuser")
      #expect(try await server.client.get("/orders/", token: first.token).status == 200)
      let third = try await server.client.login("testuser")
      expectDetail(
        try await server.client.get("/orders/", token: first.token), 401, "Invalid token.")
      for token in [second, third] {
        #expect(try await server.client.get("/orders/", token: token).status == 200)
      }
      server = try await server.restart()
      expectDetail(
        try await server.client.get("/orders/", token: first.token), 401, "Invalid token.")
      for token in [second, third] {
        #expect(try await server.client.get("/orders/", token: token).status == 200)
      }
      let fourth = try await server.client.login("testuser")
      expectDetail(try await server.client.get("/orders/", token: second), 401, "Invalid token.")
      #expect(try await server.client.get("/orders/", token: fourth).status == 200)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }
}
