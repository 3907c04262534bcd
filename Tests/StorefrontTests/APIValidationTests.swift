import JSON
import Testing

/// Field validation over HTTP: every field message of API.md at least once, nested item errors,
/// the order rules, and form-urlencoded bodies.
@Suite("API validation over HTTP")
struct APIValidationTests {
  @Test("register: required, blank, length, username and email format, short password, duplicate")
  func registration() async throws {
    try await withAPIServer { server in
      let client = server.client
      expectJSON(
        try await client.post("/users/register/", "{}"), 400,
        #"""
        {"username": ["This field is required."], "email": ["This field is required."],
         "password": ["This field is required."]}
        """#)
      expectJSON(
        try await client.post(
          "/users/register/", #"{"username": "", "email": "", "password": ""}"#), 400,
        #"""
        {"username": ["This field may not be blank."], "email": ["This field may not be blank."],
         "password": ["This field may not be blank."]}
        """#)
      expectJSON(
        try await client.post(
          "/users/register/",
          #"{"username": null, "email": "a@example.com", "password": "password-1"}"#),
        400, #"{"username": ["This field may not be null."]}"#)
      let long = String(repeating: "u", count: 151)
      expectJSON(
        try await client.post(
          "/users/register/",
          #"{"username": "\#(long)", "email": "not-an-email", "password": "short"}"#), 400,
        #"""
        {"username": ["Ensure this field has no more than 150 characters."],
         "email": ["Enter a valid email address."],
         "password": ["This password is too short. It must contain at least 8 characters."]}
        """#)
      expectJSON(
        try await client.post(
          "/users/register/",
          #"{"username": "bad name!", "email": "a@example.com", "password": "password-1"}"#), 400,
        #"{"username": ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}"#
      )
      // 150 characters and the allowed punctuation are fine.
      let longest = String(repeating: "u", count: 146) + "@.+-"
      expectJSON(
        try await client.post(
          "/users/register/",
          #"{"username": "\#(longest)", "email": "long@example.com", "password": "password-1"}"#),
        201, #"{"id": 1, "username": "\#(longest)", "email": "long@example.com"}"#)
      _ = try await client.register("testuser")
      expectJSON(
        try await client.post(
          "/users/register/",
          #"{"username": "testuser", "email": "other@example.com", "password": "password-1"}"#),
        400, #"{"username": ["A user with that username already exists."]}"#)
      expectJSON(
        try await client.post("/users/register/", "[1]"), 400,
        #"{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}"#)
    }
  }

  @Test("categories: required, null, blank, too long, duplicate (case-sensitive)")
  func categories() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let client = server.client
      func create(_ body: String) async throws -> APIResponse {
        try await client.post("/products/categories/create/", body, token: admin.token)
      }
      expectJSON(try await create("{}"), 400, #"{"name": ["This field is required."]}"#)
      expectJSON(
        try await create(#"{"name": null}"#), 400, #"{"name": ["This field may not be null."]}"#)
      expectJSON(
        try await create(#"{"name": "  "}"#), 400, #"{"name": ["This field may not be blank."]}"#)
      let long = String(repeating: "c", count: 101)
      expectJSON(
        try await create(#"{"name": "\#(long)"}"#), 400,
        #"{"name": ["Ensure this field has no more than 100 characters."]}"#)
      _ = try await client.category("Skincare", admin: admin)
      expectJSON(
        try await create(#"{"name": "Skincare"}"#), 400,
        #"{"name": ["category with this name already exists."]}"#)
      expectJSON(try await create(#"{"name": "skincare"}"#), 201, #"{"id": 2, "name": "skincare"}"#)
      expectJSON(
        try await client.get("/products/categories/"), 200,
        #"[{"id": 1, "name": "Skincare"}, {"id": 2, "name": "skincare"}]"#)
    }
  }

  @Test("products: price, category pk, variants list and nested variant errors")
  func products() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      _ = try await server.client.category("Skincare", admin: admin)
      func create(_ body: String) async throws -> APIResponse {
        try await server.client.post("/products/create/", body, token: admin.token)
      }
      expectJSON(
        try await create("{}"), 400,
        #"""
        {"name": ["This field is required."], "price": ["This field is required."],
         "category": ["This field is required."]}
        """#)
      expectJSON(
        try await create(#"{"name": "P", "price": "abc", "category": 99}"#), 400,
        #"""
        {"price": ["A valid number is required."],
         "category": ["Invalid pk \"99\" - object does not exist."]}
        """#)
      expectJSON(
        try await create(#"{"name": "P", "price": 1.234, "category": 1}"#), 400,
        #"{"price": ["Ensure that there are no more than 2 decimal places."]}"#)
      expectJSON(
        try await create(#"{"name": "P", "price": -1, "category": 1}"#), 400,
        #"{"price": ["Ensure this value is greater than or equal to 0."]}"#)
      expectJSON(
        try await create(#"{"name": "P", "price": 123456789.12, "category": 1}"#), 400,
        #"{"price": ["Ensure that there are no more than 10 digits in total."]}"#)
      expectJSON(
        try await create(#"{"name": "P", "price": null, "category": null}"#), 400,
        #"{"price": ["This field may not be null."], "category": ["This field may not be null."]}"#)
      expectJSON(
        try await create(#"{"name": "P", "price": 1, "category": 1, "variants": {"size": "S"}}"#),
        400,
        #"{"variants": {"non_field_errors": ["Expected a list of items but got type \"dict\"."]}}"#)
      expectJSON(
        try await create(
          #"""
          {"name": "P", "price": 1, "category": 1,
           "variants": [{"size": "S", "stock": 1}, {"size": "M", "stock": -1},
                        {"color": "\#(String(repeating: "c", count: 51))", "stock": "x"}]}
          """#), 400,
        #"""
        {"variants": {"1": {"stock": ["Ensure this value is greater than or equal to 0."]},
                      "2": {"color": ["Ensure this field has no more than 50 characters."],
                            "stock": ["A valid integer is required."]}}}
        """#)
      // Nothing was created by the refused calls; ids continue from 1.
      expectJSON(try await server.client.get("/products/"), 200, "[]")
      let created = try await server.client.product(
        #"{"name": "P", "price": 1, "category": 1, "variants": [{"stock": 2}]}"#, admin: admin)
      #expect(created["id"] == .int(1))
      #expect(created["variants"]?.jsonArray?.first?["id"] == .int(1))
    }
  }

  /// A shop with: category 1; product 1 with variants 1 (stock 1) and 2 (stock 5); product 2
  /// without variants; product 3 with variant 3 (stock 2).
  static func stockedShop(_ server: APITestServer) async throws -> (admin: APIUser, user: APIUser) {
    let admin = try await server.admin()
    let user = try await server.client.user("testuser")
    _ = try await server.client.category("Skincare", admin: admin)
    _ = try await server.client.product(
      #"{"name": "Sunscreen", "price": 550, "category": 1, "variants": [{"size": "100ml", "stock": 1}, {"size": "200ml", "stock": 5}]}"#,
      admin: admin)
    _ = try await server.client.product(
      #"{"name": "Towel", "price": 300, "category": 1}"#, admin: admin)
    _ = try await server.client.product(
      #"{"name": "Serum", "price": 19.99, "category": 1, "variants": [{"size": "30ml", "stock": 2}]}"#,
      admin: admin)
    return (admin, user)
  }

  @Test("orders: list-level errors, nested per-item errors keyed by index")
  func orderFieldErrors() async throws {
    try await withAPIServer { server in
      let (_, user) = try await Self.stockedShop(server)
      func place(_ body: String) async throws -> APIResponse {
        try await server.client.post("/orders/", body, token: user.token)
      }
      expectJSON(try await place("{}"), 400, #"{"items": ["This field is required."]}"#)
      expectJSON(
        try await place(#"{"items": null}"#), 400, #"{"items": ["This field may not be null."]}"#)
      expectJSON(
        try await place(#"{"items": []}"#), 400,
        #"{"items": {"non_field_errors": ["This list may not be empty."]}}"#)
      expectJSON(
        try await place(#"{"items": {"product": 2, "quantity": 1}}"#), 400,
        #"{"items": {"non_field_errors": ["Expected a list of items but got type \"dict\"."]}}"#)
      expectJSON(
        try await place(
          #"{"items": [{"product": 2, "quantity": 1}, {"product": 2, "quantity": 0}]}"#), 400,
        #"{"items": {"1": {"quantity": ["Ensure this value is greater than or equal to 1."]}}}"#)
      expectJSON(
        try await place(
          #"""
          {"items": [{"product": 99, "quantity": "abc"}, {"product": 2, "quantity": 1},
                     {"product": 1, "variant": 99, "quantity": 1}, {"quantity": 1},
                     {"product": 2, "quantity": null}]}
          """#), 400,
        #"""
        {"items": {"0": {"product": ["Invalid pk \"99\" - object does not exist."],
                         "quantity": ["A valid integer is required."]},
                   "2": {"variant": ["Invalid pk \"99\" - object does not exist."]},
                   "3": {"product": ["This field is required."]},
                   "4": {"quantity": ["This field may not be null."]}}}
        """#)
      expectJSON(try await server.client.get("/orders/", token: user.token), 200, "[]")
    }
  }

  @Test("orders: insufficient stock, foreign variant, missing variant; all or nothing")
  func orderRules() async throws {
    try await withAPIServer { server in
      let (admin, user) = try await Self.stockedShop(server)
      func place(_ body: String) async throws -> APIResponse {
        try await server.client.post("/orders/", body, token: user.token)
      }
      expectJSON(
        try await place(#"{"items": [{"product": 1, "variant": 2, "quantity": 6}]}"#), 400,
        #"{"items": ["Insufficient stock for variant 2: 5 available."]}"#)
      _ = try await server.client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 4}]}"#, user: user)
      expectJSON(
        try await place(#"{"items": [{"product": 1, "variant": 2, "quantity": 2}]}"#), 400,
        #"{"items": ["Insufficient stock for variant 2: 1 available."]}"#)
      // Two lines on one variant add up.
      expectJSON(
        try await place(
          #"{"items": [{"product": 1, "variant": 1, "quantity": 1}, {"product": 1, "variant": 1, "quantity": 1}]}"#
        ), 400, #"{"items": ["Insufficient stock for variant 1: 0 available."]}"#)
      expectJSON(
        try await place(#"{"items": [{"product": 1, "variant": 3, "quantity": 1}]}"#), 400,
        #"{"items": ["Variant 3 does not belong to product 1."]}"#)
      expectJSON(
        try await place(#"{"items": [{"product": 1, "quantity": 1}]}"#), 400,
        #"{"items": ["This product has variants; choose one."]}"#)
      // All or nothing: the first line would fit, the second does not; nothing changes.
      expectJSON(
        try await place(
          #"{"items": [{"product": 3, "variant": 3, "quantity": 2}, {"product": 1, "variant": 1, "quantity": 2}]}"#
        ), 400, #"{"items": ["Insufficient stock for variant 1: 1 available."]}"#)
      #expect(try await server.client.stock(ofVariant: 3) == 2)
      #expect(try await server.client.stock(ofVariant: 1) == 1)
      #expect(try await server.client.stock(ofVariant: 2) == 1)
      #expect(
        try await server.client.get("/orders/", token: admin.token).json.jsonArray?.count == 1)
      // A product without variants has no stock limit.
      let bulk = try await server.client.order(
        #"{"items": [{"product": 2, "quantity": 1000000}]}"#, user: user)
      #expect(bulk["id"] == .int(2))
      #expect(bulk["items"]?.jsonArray?.first?["id"] == .int(2))
    }
  }

  @Test("status: invalid choice, required, terminal states refuse changes")
  func statusRules() async throws {
    try await withAPIServer { server in
      let (admin, user) = try await Self.stockedShop(server)
      for _ in 0..<2 {
        _ = try await server.client.order(
          #"{"items": [{"product": 3, "variant": 3, "quantity": 1}]}"#, user: user)
      }
      func update(_ id: Int, _ body: String) async throws -> APIResponse {
        try await server.client.patch("/orders/\(id)/update-status/", body, token: admin.token)
      }
      expectJSON(
        try await update(1, #"{"status": "foo"}"#), 400,
        #"{"status": ["\"foo\" is not a valid choice."]}"#)
      expectJSON(try await update(1, "{}"), 400, #"{"status": ["This field is required."]}"#)
      expectJSON(
        try await update(1, #"{"status": null}"#), 400,
        #"{"status": ["This field may not be null."]}"#)
      expectJSON(
        try await update(1, #"{"status": "delivered"}"#), 200, #"{"id": 1, "status": "delivered"}"#)
      for status in ["created", "paid", "cancelled", "delivered"] {
        expectJSON(
          try await update(1, #"{"status": "\#(status)"}"#), 400,
          #"{"status": ["Cannot change status of a delivered order."]}"#)
      }
      expectJSON(
        try await update(2, #"{"status": "cancelled"}"#), 200, #"{"id": 2, "status": "cancelled"}"#)
      #expect(try await server.client.stock(ofVariant: 3) == 1)
      for status in ["created", "cancelled"] {
        expectJSON(
          try await update(2, #"{"status": "\#(status)"}"#), 400,
          #"{"status": ["Cannot change status of a cancelled order."]}"#)
      }
      // A second cancel gave nothing back twice.
      #expect(try await server.client.stock(ofVariant: 3) == 1)
      let orders = try await server.client.get("/orders/", token: user.token).json.jsonArray ?? []
      #expect(orders.map { $0["status"] } == [.string("delivered"), .string("cancelled")])
    }
  }

  @Test("form-urlencoded bodies: register, login, category create, status update")
  func formBodies() async throws {
    try await withAPIServer { server in
      let client = server.client
      let admin = try await server.admin()
      let registered = try await client.request(
        "POST", "/users/register/",
        body: .form("username=form.user%2B1&email=form%40example.com&password=pass+word+1"))
      expectJSON(
        registered, 201, #"{"id": 2, "username": "form.user+1", "email": "form@example.com"}"#)
      let login = try await client.request(
        "POST", "/users/login/", body: .form("username=form.user%2B1&password=pass%20word%201"))
      #expect(login.status == 200, "\(login)")
      #expect(login.json["user_id"] == .int(2))
      let refused = try await client.request(
        "POST", "/users/login/", body: .form("username=form.user%2B1&password=wrong"))
      expectJSON(
        refused, 400, #"{"non_field_errors": ["Unable to log in with provided credentials."]}"#)
      expectJSON(
        try await client.request("POST", "/users/register/", body: .form("username=x&password=")),
        400,
        #"{"email": ["This field is required."], "password": ["This field may not be blank."]}"#)
      let category = try await client.request(
        "POST", "/products/categories/create/", token: admin.token, body: .form("name=Hair+care"))
      expectJSON(category, 201, #"{"id": 1, "name": "Hair care"}"#)
      _ = try await client.product(#"{"name": "Comb", "price": 2, "category": 1}"#, admin: admin)
      let user = APIUser(
        id: 2, username: "form.user+1", password: "pass word 1",
        token: try #require(login.json["token"]?.stringValue))
      _ = try await client.order(#"{"items": [{"product": 1, "quantity": 1}]}"#, user: user)
      expectJSON(
        try await client.request(
          "PATCH", "/orders/1/update-status/", token: admin.token, body: .form("status=shipped")),
        200, #"{"id": 1, "status": "shipped"}"#)
      expectJSON(
        try await client.request(
          "PATCH", "/orders/1/update-status/", token: admin.token, body: .form("status=lost")),
        400, #"{"status": ["\"lost\" is not a valid choice."]}"#)
    }
  }
}
