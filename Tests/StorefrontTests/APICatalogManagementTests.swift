import JSON
import Testing

/// Catalog management over HTTP (API.md, "Beyond the document"): detail routes, PATCH and
/// DELETE of products and categories, variants and stock, with DRF's bodies and statuses.
@Suite("API: catalog management")
struct APICatalogManagementTests {
  /// An admin, a regular user, category 1 "Skincare", product 1 "Sunscreen" (550, variants 1
  /// and 2 with stock 50 and 30) and product 2 "Towel" (300, no variants).
  struct Shop {
    let admin: APIUser
    let user: APIUser
  }

  static func seed(_ server: APITestServer) async throws -> Shop {
    let client = server.client
    let admin = try await server.admin()
    let user = try await client.user("testuser")
    _ = try await client.category("Skincare", admin: admin)
    _ = try await client.product(
      #"{"name": "Sunscreen", "description": "SPF 30", "price": 550, "category": 1, "variants": [{"size": "100ml", "color": "White", "stock": 50}, {"size": "200ml", "color": "Yellow", "stock": 30}]}"#,
      admin: admin)
    _ = try await client.product(
      #"{"name": "Towel", "price": 300, "category": 1}"#, admin: admin)
    return Shop(admin: admin, user: user)
  }

  static let sunscreen = #"""
    {"id": 1, "name": "Sunscreen", "description": "SPF 30", "price": 550, "category": 1,
     "variants": [{"id": 1, "size": "100ml", "color": "White", "stock": 50},
                  {"id": 2, "size": "200ml", "color": "Yellow", "stock": 30}]}
    """#

  @Test("GET /products/<id>/ and /products/categories/<id>/ for anyone; unknown ids are 404")
  func detail() async throws {
    try await withAPIServer { server in
      let shop = try await Self.seed(server)
      let client = server.client
      expectJSON(try await client.get("/products/1/"), 200, Self.sunscreen)
      expectJSON(try await client.get("/products/1"), 200, Self.sunscreen)
      expectJSON(
        try await client.get("/products/2/"), 200,
        #"{"id": 2, "name": "Towel", "description": "", "price": 300, "category": 1, "variants": []}"#
      )
      expectDetail(try await client.get("/products/3/"), 404, "No Product matches the given query.")
      expectDetail(try await client.get("/products/0/"), 404, "No Product matches the given query.")
      expectDetail(try await client.get("/products/abc/"), 404, "Not found.")
      expectDetail(try await client.get("/products/-1/"), 404, "Not found.")
      expectJSON(
        try await client.get("/products/categories/1/"), 200, #"{"id": 1, "name": "Skincare"}"#)
      expectDetail(
        try await client.get("/products/categories/2/"), 404,
        "No Category matches the given query.")
      // The literal routes next to <int:id> keep their own methods.
      let create = try await client.get("/products/create/", token: shop.admin.token)
      expectDetail(create, 405, "Method \"GET\" not allowed.")
      #expect(create.headers["allow"] == "POST, OPTIONS")
    }
  }

  @Test("PATCH /products/<id>/ is partial, validates each field as on creation, and PUT is 405")
  func patchProduct() async throws {
    try await withAPIServer { server in
      let shop = try await Self.seed(server)
      let client = server.client
      let renamed = try await client.patch(
        "/products/1/", #"{"name": "  Sunscreen SPF 50 ", "id": 9, "variants": []}"#,
        token: shop.admin.token)
      let expected = Self.sunscreen.replacingOccurrences(
        of: #""name": "Sunscreen""#, with: #""name": "Sunscreen SPF 50""#)
      expectJSON(renamed, 200, expected)
      // Read-your-writes: detail and list show it at once.
      expectJSON(try await client.get("/products/1/"), 200, expected)
      #expect(try await client.get("/products/").json.jsonArray?.first == renamed.json)

      let moved = try await client.patch(
        "/products/2/", #"{"description": "Cotton", "price": "12.50"}"#, token: shop.admin.token)
      expectJSON(
        moved, 200,
        #"{"id": 2, "name": "Towel", "description": "Cotton", "price": 12.5, "category": 1, "variants": []}"#
      )
      expectJSON(
        try await client.patch("/products/2/", "{}", token: shop.admin.token), 200,
        APIJSON.text(moved.json))

      expectJSON(
        try await client.patch(
          "/products/2/",
          #"{"name": "", "price": "1.234", "category": 99, "description": null}"#,
          token: shop.admin.token), 400,
        #"""
        {"name": ["This field may not be blank."],
         "description": ["This field may not be null."],
         "price": ["Ensure that there are no more than 2 decimal places."],
         "category": ["Invalid pk \"99\" - object does not exist."]}
        """#)
      expectJSON(
        try await client.patch(
          "/products/2/", #"{"name": "\#(String(repeating: "x", count: 201))", "price": -1}"#,
          token: shop.admin.token), 400,
        #"""
        {"name": ["Ensure this field has no more than 200 characters."],
         "price": ["Ensure this value is greater than or equal to 0."]}
        """#)
      expectJSON(
        try await client.patch("/products/2/", "[1]", token: shop.admin.token), 400,
        #"{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}"#)
      // Nothing of the refused PATCHes stuck.
      expectJSON(try await client.get("/products/2/"), 200, APIJSON.text(moved.json))

      // 404 before the body is read; permissions before the 404.
      expectDetail(
        try await client.request(
          "PATCH", "/products/9/", token: shop.admin.token, body: .json("{not json")),
        404, "No Product matches the given query.")
      expectDetail(
        try await client.patch("/products/1/", #"{"name": "X"}"#, token: shop.user.token), 403,
        "You do not have permission to perform this action.")
      expectDetail(
        try await client.patch("/products/9/", #"{"name": "X"}"#), 401,
        "Authentication credentials were not provided.")

      let put = try await client.request(
        "PUT", "/products/1/", token: shop.admin.token, body: .json(#"{"name": "X"}"#))
      expectDetail(put, 405, "Method \"PUT\" not allowed.")
      #expect(put.headers["allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS")
      // As a DRF view with admin-only writes: the permission is checked before the method.
      expectDetail(
        try await client.request("PUT", "/products/1/", body: .json("{}")), 401,
        "Authentication credentials were not provided.")
      expectDetail(
        try await client.request("PUT", "/products/1/", token: shop.user.token, body: .json("{}")),
        403, "You do not have permission to perform this action.")
      let options = try await client.request("OPTIONS", "/products/1/")
      #expect(options.status == 200, "\(options)")
      #expect(options.json["name"] == .string("Product Detail"))
    }
  }

  @Test("a price change leaves the item prices of earlier orders alone, also after a restart")
  func priceChange() async throws {
    let directory = try APIDataDirectory()
    var server = try await APITestServer.start(directory: directory)
    do {
      let shop = try await Self.seed(server)
      let client = server.client
      let first = try await client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 2}, {"product": 2, "quantity": 1}]}"#,
        user: shop.user)
      let patched = try await client.patch(
        "/products/1/", #"{"price": "600.10"}"#, token: shop.admin.token)
      #expect(patched.json["price"] == .number("600.1"), "\(patched)")
      let second = try await client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#, user: shop.user)
      #expect(second["items"]?.jsonArray?.first?["price"] == .number("600.1"))
      server = try await server.restart()
      let orders = try await server.client.get("/orders/", token: shop.user.token)
      #expect(orders.json.jsonArray?.first == first, "\(orders)")
      #expect(
        orders.json.jsonArray?.first?["items"]?.jsonArray?.map { $0["price"] }
          == [.number("550"), .number("300")])
      #expect(orders.json.jsonArray?.last == second)
      expectJSON(
        try await server.client.get("/orders/1/", token: shop.user.token), 200,
        APIJSON.text(first))
      #expect(try await server.client.get("/products/1/").json["price"] == .number("600.1"))
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("a deleted product is gone from lists, detail and new orders; old orders still list it")
  func deleteProduct() async throws {
    let directory = try APIDataDirectory()
    var server = try await APITestServer.start(directory: directory)
    do {
      let shop = try await Self.seed(server)
      let client = server.client
      let old = try await client.order(
        #"{"items": [{"product": 1, "variant": 2, "quantity": 3}]}"#, user: shop.user)
      expectDetail(
        try await client.delete("/products/1/", token: shop.user.token), 403,
        "You do not have permission to perform this action.")
      let deleted = try await client.delete("/products/1/", token: shop.admin.token)
      #expect(deleted.status == 204, "\(deleted)")
      #expect(deleted.body.isEmpty)
      #expect(deleted.headers["content-type"] == nil)
      expectDetail(try await client.get("/products/1/"), 404, "No Product matches the given query.")
      expectDetail(
        try await client.delete("/products/1/", token: shop.admin.token), 404,
        "No Product matches the given query.")
      expectDetail(
        try await client.patch("/products/1/", #"{"name": "Back"}"#, token: shop.admin.token),
        404, "No Product matches the given query.")
      expectDetail(
        try await client.patch(
          "/products/1/variants/1/", #"{"stock": 5}"#, token: shop.admin.token), 404,
        "No Product matches the given query.")
      #expect(try await client.get("/products/").json.jsonArray?.map { $0["id"] } == [.int(2)])
      #expect(
        try await client.get("/products/?search=sun").json.jsonArray?.isEmpty == true)
      expectJSON(
        try await client.post(
          "/orders/", #"{"items": [{"product": 1, "variant": 2, "quantity": 1}]}"#,
          token: shop.user.token), 400,
        #"""
        {"items": {"0": {"product": ["Invalid pk \"1\" - object does not exist."],
                         "variant": ["Invalid pk \"2\" - object does not exist."]}}}
        """#)
      expectJSON(
        try await client.post(
          "/orders/", #"{"items": [{"product": "1", "quantity": 1}]}"#, token: shop.user.token),
        400, #"{"items": {"0": {"product": ["Invalid pk \"1\" - object does not exist."]}}}"#)
      // Ids are never reused.
      let next = try await client.product(
        #"{"name": "Lotion", "price": 10, "category": 1, "variants": [{"stock": 1}]}"#,
        admin: shop.admin)
      #expect(next["id"] == .int(3))
      #expect(next["variants"]?.jsonArray?.first?["id"] == .int(3))
      server = try await server.restart()
      let after = server.client
      #expect(try await after.get("/orders/", token: shop.admin.token).json.jsonArray == [old])
      #expect(try await after.get("/orders/1/", token: shop.user.token).json == old)
      expectDetail(try await after.get("/products/1/"), 404, "No Product matches the given query.")
      #expect(
        try await after.get("/products/").json.jsonArray?.map { $0["id"] } == [.int(2), .int(3)])
      // Cancelling the old order gives stock back to nothing; the order keeps its items.
      let cancelled = try await after.patch(
        "/orders/1/update-status/", #"{"status": "cancelled"}"#, token: shop.admin.token)
      expectJSON(cancelled, 200, #"{"id": 1, "status": "cancelled"}"#)
      #expect(
        try await after.get("/orders/1/", token: shop.user.token).json["items"] == old["items"])
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("categories: PATCH renames with the creation checks; DELETE is 409 while products remain")
  func categories() async throws {
    try await withAPIServer { server in
      let shop = try await Self.seed(server)
      let client = server.client
      _ = try await client.category("Haircare", admin: shop.admin)
      expectJSON(
        try await client.patch(
          "/products/categories/2/", #"{"name": "Skincare"}"#, token: shop.admin.token), 400,
        #"{"name": ["category with this name already exists."]}"#)
      expectJSON(
        try await client.patch(
          "/products/categories/2/", #"{"name": " "}"#, token: shop.admin.token), 400,
        #"{"name": ["This field may not be blank."]}"#)
      expectJSON(
        try await client.patch(
          "/products/categories/1/", #"{"name": "Skincare"}"#, token: shop.admin.token), 200,
        #"{"id": 1, "name": "Skincare"}"#)
      expectJSON(
        try await client.patch(
          "/products/categories/2/", #"{"name": "Hair"}"#, token: shop.admin.token), 200,
        #"{"id": 2, "name": "Hair"}"#)
      expectJSON(
        try await client.get("/products/categories/"), 200,
        #"[{"id": 1, "name": "Skincare"}, {"id": 2, "name": "Hair"}]"#)
      // The old name is free again.
      #expect(try await client.category("Haircare", admin: shop.admin) == 3)
      expectDetail(
        try await client.patch(
          "/products/categories/9/", #"{"name": "X"}"#, token: shop.admin.token), 404,
        "No Category matches the given query.")
      expectDetail(
        try await client.patch(
          "/products/categories/2/", #"{"name": "X"}"#, token: shop.user.token),
        403, "You do not have permission to perform this action.")

      expectDetail(
        try await client.delete("/products/categories/1/", token: shop.admin.token), 409,
        "Category 1 still has products.")
      // Moving product 2 out leaves product 1; deleting it empties the category.
      #expect(
        try await client.patch("/products/2/", #"{"category": 2}"#, token: shop.admin.token)
          .json["category"] == .int(2))
      expectDetail(
        try await client.delete("/products/categories/1/", token: shop.admin.token), 409,
        "Category 1 still has products.")
      #expect(try await client.delete("/products/1/", token: shop.admin.token).status == 204)
      let deleted = try await client.delete("/products/categories/1/", token: shop.admin.token)
      #expect(deleted.status == 204, "\(deleted)")
      #expect(deleted.body.isEmpty)
      expectDetail(
        try await client.get("/products/categories/1/"), 404,
        "No Category matches the given query.")
      expectDetail(
        try await client.delete("/products/categories/1/", token: shop.admin.token), 404,
        "No Category matches the given query.")
      expectJSON(
        try await client.get("/products/categories/"), 200,
        #"[{"id": 2, "name": "Hair"}, {"id": 3, "name": "Haircare"}]"#)
      expectJSON(
        try await client.post(
          "/products/create/", #"{"name": "X", "price": 1, "category": 1}"#,
          token: shop.admin.token), 400,
        #"{"category": ["Invalid pk \"1\" - object does not exist."]}"#)
      expectJSON(
        try await client.patch("/products/2/", #"{"category": 1}"#, token: shop.admin.token), 400,
        #"{"category": ["Invalid pk \"1\" - object does not exist."]}"#)
      // Its name can be used again; its id is not.
      #expect(try await client.category("Skincare", admin: shop.admin) == 4)
      let put = try await client.request(
        "PUT", "/products/categories/2/", token: shop.admin.token, body: .json("{}"))
      expectDetail(put, 405, "Method \"PUT\" not allowed.")
    }
  }

  @Test("variants: POST adds one; PATCH sets size, color, stock, or adds stock_delta")
  func variants() async throws {
    try await withAPIServer { server in
      let shop = try await Self.seed(server)
      let client = server.client
      let token = shop.admin.token
      expectJSON(
        try await client.post("/products/2/variants/", #"{"size": "L", "stock": 4}"#, token: token),
        201, #"{"id": 3, "size": "L", "color": "", "stock": 4}"#)
      expectJSON(
        try await client.post("/products/2/variants/", nil, token: token), 201,
        #"{"id": 4, "size": "", "color": "", "stock": 0}"#)
      expectJSON(
        try await client.get("/products/2/"), 200,
        #"""
        {"id": 2, "name": "Towel", "description": "", "price": 300, "category": 1,
         "variants": [{"id": 3, "size": "L", "color": "", "stock": 4},
                      {"id": 4, "size": "", "color": "", "stock": 0}]}
        """#)
      expectJSON(
        try await client.post(
          "/products/2/variants/",
          #"{"size": "\#(String(repeating: "s", count: 51))", "stock": -1}"#, token: token), 400,
        #"""
        {"size": ["Ensure this field has no more than 50 characters."],
         "stock": ["Ensure this value is greater than or equal to 0."]}
        """#)
      expectDetail(
        try await client.post("/products/7/variants/", "{}", token: token), 404,
        "No Product matches the given query.")
      expectDetail(
        try await client.post("/products/2/variants/", "{}", token: shop.user.token), 403,
        "You do not have permission to perform this action.")
      // A product with variants must now be ordered with one.
      expectJSON(
        try await client.post(
          "/orders/", #"{"items": [{"product": 2, "quantity": 1}]}"#, token: shop.user.token),
        400, #"{"items": ["This product has variants; choose one."]}"#)

      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"color": "Orange", "stock": 7}"#, token: token), 200,
        #"{"id": 2, "size": "200ml", "color": "Orange", "stock": 7}"#)
      expectJSON(
        try await client.patch("/products/1/variants/2/", #"{"stock_delta": 5}"#, token: token),
        200, #"{"id": 2, "size": "200ml", "color": "Orange", "stock": 12}"#)
      expectJSON(
        try await client.patch("/products/1/variants/2/", #"{"stock_delta": "-12"}"#, token: token),
        200, #"{"id": 2, "size": "200ml", "color": "Orange", "stock": 0}"#)
      #expect(try await client.stock(ofVariant: 2) == 0)
      _ = try await client.patch("/products/1/variants/2/", #"{"stock": 3}"#, token: token)
      expectJSON(
        try await client.patch("/products/1/variants/2/", #"{"stock_delta": -4}"#, token: token),
        400, #"{"stock_delta": ["Stock cannot go below 0 (now 3)."]}"#)
      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"stock_delta": -1e30, "size": "XL"}"#, token: token), 400,
        #"{"stock_delta": ["Stock cannot go below 0 (now 3)."]}"#)
      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"stock_delta": 2147483645}"#, token: token), 400,
        #"{"stock_delta": ["Stock cannot go above 2147483647 (now 3)."]}"#)
      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"stock": 1, "stock_delta": 1}"#, token: token), 400,
        #"{"non_field_errors": ["Send either stock or stock_delta, not both."]}"#)
      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"stock": -1, "stock_delta": null, "color": 5}"#,
          token: token), 400,
        #"""
        {"stock": ["Ensure this value is greater than or equal to 0."],
         "stock_delta": ["This field may not be null."]}
        """#)
      expectJSON(
        try await client.patch(
          "/products/1/variants/2/", #"{"stock_delta": "abc", "size": null}"#, token: token), 400,
        #"""
        {"size": ["This field may not be null."], "stock_delta": ["A valid integer is required."]}
        """#)
      // Nothing of the refused changes stuck.
      expectJSON(
        try await client.get("/products/1/"), 200,
        Self.sunscreen.replacingOccurrences(
          of: #""color": "Yellow", "stock": 30"#, with: #""color": "Orange", "stock": 3"#))

      expectDetail(
        try await client.patch("/products/2/variants/1/", #"{"stock": 1}"#, token: token), 404,
        "No Variant matches the given query.")
      expectDetail(
        try await client.patch("/products/1/variants/99/", #"{"stock": 1}"#, token: token), 404,
        "No Variant matches the given query.")
      expectDetail(
        try await client.patch(
          "/products/1/variants/1/", #"{"stock": 1}"#, token: shop.user.token), 403,
        "You do not have permission to perform this action.")
      let get = try await client.get("/products/1/variants/1/", token: token)
      expectDetail(get, 405, "Method \"GET\" not allowed.")
      #expect(get.headers["allow"] == "PATCH, OPTIONS")
      // An admin-only view: its permission comes before the method.
      expectDetail(
        try await client.get("/products/1/variants/1/"), 401,
        "Authentication credentials were not provided.")
    }
  }
}
