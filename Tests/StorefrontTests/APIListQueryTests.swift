import HTTPTestSupport
import JSON
import Testing

/// Filters, search, ordering and pagination of the lists over HTTP (API.md, "Query parameters
/// of the lists"), with django-filter's and DRF's bodies.
@Suite("API: list filters, ordering and pagination")
struct APIListQueryTests {
  /// Categories 1 Skincare, 2 Haircare, 3 Empty; products:
  /// 1 "Sunscreen SPF 30" 19.99 cat 1, variants stock 0 and 5;
  /// 2 "Shampoo" 7.5 cat 2, one variant with stock 0 (out of stock);
  /// 3 "Towel" 300 cat 1, no variants;
  /// 4 "Crème Visage" 20 cat 1, stock 3;
  /// 5 "Hair oil" 7.5 cat 2, stock 1.
  static func seed(_ server: APITestServer) async throws -> APIUser {
    let client = server.client
    let admin = try await server.admin()
    for name in ["Skincare", "Haircare", "Empty"] {
      _ = try await client.category(name, admin: admin)
    }
    for body in [
      #"{"name": "Sunscreen SPF 30", "description": "Protects skin, water resistant", "price": "19.99", "category": 1, "variants": [{"stock": 0}, {"stock": 5}]}"#,
      #"{"name": "Shampoo", "description": "For dry hair", "price": 7.5, "category": 2, "variants": [{"stock": 0}]}"#,
      #"{"name": "Towel", "price": 300, "category": 1}"#,
      #"{"name": "Crème Visage", "description": "Hydratante", "price": "20.00", "category": 1, "variants": [{"stock": 3}]}"#,
      #"{"name": "Hair oil", "description": "argan", "price": "7.50", "category": 2, "variants": [{"stock": 1}]}"#,
    ] {
      _ = try await client.product(body, admin: admin)
    }
    return admin
  }

  /// The ids of a plain list answer (expects 200 and an array).
  static func ids(
    _ client: APIClient, _ path: String, token: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> [Int] {
    let response = try await client.get(path, token: token)
    #expect(response.status == 200, "\(path): \(response)", sourceLocation: sourceLocation)
    let list = try #require(response.json.jsonArray, "\(response)", sourceLocation: sourceLocation)
    return list.compactMap { $0["id"]?.intValue }
  }

  @Test("products: category, min_price, max_price, in_stock, search, ordering")
  func productFilters() async throws {
    try await withAPIServer { server in
      _ = try await Self.seed(server)
      let client = server.client
      let cases: [(String, [Int])] = [
        ("category=1", [1, 3, 4]), ("category=2", [2, 5]), ("category=3", []),
        ("category=%202%20", [2, 5]), ("category=", [1, 2, 3, 4, 5]),
        ("category=2&category=1", [1, 3, 4]),
        ("min_price=19.99", [1, 3, 4]), ("min_price=19.991", [3, 4]),
        ("min_price=-5", [1, 2, 3, 4, 5]), ("min_price=1e50", []), ("min_price=", [1, 2, 3, 4, 5]),
        ("max_price=7.5", [2, 5]), ("max_price=7.499", []), ("max_price=2e1", [1, 2, 4, 5]),
        ("min_price=7.5&max_price=19.99", [1, 2, 5]),
        ("in_stock=true", [1, 3, 4, 5]), ("in_stock=FALSE", [2]), ("in_stock=1", [1, 3, 4, 5]),
        ("in_stock=0", [2]), ("in_stock=maybe", [1, 2, 3, 4, 5]),
        ("search=spf", [1]), ("search=HAIR", [2, 5]), ("search=hair,oil", [5]),
        ("search=hair+oil", [5]), ("search=%20oil%20%20HAIR%09", [5]), ("search=skin", [1]),
        ("search=cr%C3%A8me", [4]), ("search=CR%C3%88ME", [4]), ("search=xyz", []),
        ("search=", [1, 2, 3, 4, 5]), ("search=%2C%2C", [1, 2, 3, 4, 5]),
        ("ordering=price", [2, 5, 1, 4, 3]), ("ordering=-price", [3, 4, 1, 2, 5]),
        ("ordering=name", [4, 5, 2, 1, 3]), ("ordering=-name", [3, 1, 2, 5, 4]),
        ("ordering=-id", [5, 4, 3, 2, 1]), ("ordering=bogus", [1, 2, 3, 4, 5]),
        ("ordering=bogus,%20-price%20", [3, 4, 1, 2, 5]), ("ordering=price,-id", [5, 2, 1, 4, 3]),
        ("ordering=--id", [1, 2, 3, 4, 5]),
        ("category=1&in_stock=true&ordering=-price", [3, 4, 1]),
        ("category=2&search=oil&min_price=7.5", [5]),
      ]
      for (query, expected) in cases {
        #expect(try await Self.ids(client, "/products/?\(query)") == expected, "\(query)")
      }
    }
  }

  @Test("products: each filter's bad value is a 400 naming it, several at once")
  func productFilterErrors() async throws {
    try await withAPIServer { server in
      let admin = try await Self.seed(server)
      let client = server.client
      let invalidChoice = "Select a valid choice. That choice is not one of the available choices."
      for value in ["abc", "99", "0", "1.5", "-1"] {
        expectJSON(
          try await client.get("/products/?category=\(value)"), 400,
          #"{"category": ["\#(invalidChoice)"]}"#)
      }
      for value in ["abc", "NaN", "Infinity", "1,5", "%20", "1e"] {
        expectJSON(
          try await client.get("/products/?min_price=\(value)"), 400,
          #"{"min_price": ["Enter a number."]}"#)
        expectJSON(
          try await client.get("/products/?max_price=\(value)"), 400,
          #"{"max_price": ["Enter a number."]}"#)
      }
      expectJSON(
        try await client.get("/products/?max_price=1.0000000001e50"), 400,
        #"{"max_price": ["Ensure this value is less than or equal to 1e+50."]}"#)
      expectJSON(
        try await client.get("/products/?min_price=x&max_price=y&category=z&in_stock=q&limit=2"),
        400,
        #"""
        {"category": ["\#(invalidChoice)"], "min_price": ["Enter a number."],
         "max_price": ["Enter a number."]}
        """#)
      // A deleted category is no choice either.
      #expect(try await client.delete("/products/categories/3/", token: admin.token).status == 204)
      expectJSON(
        try await client.get("/products/?category=3"), 400, #"{"category": ["\#(invalidChoice)"]}"#)
      // Too many parameters, as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
      let many = (0..<1001).map { "a\($0)=1" }.joined(separator: "&")
      expectDetail(
        try await client.get("/products/?\(many)"), 400, "The number of fields exceeded 1000.")
    }
  }

  @Test("without limit every list is the plain array, byte for byte the unfiltered body")
  func plainLists() async throws {
    try await withAPIServer { server in
      let admin = try await Self.seed(server)
      let client = server.client
      for path in ["/products/", "/products/categories/"] {
        let plain = try await client.get(path)
        #expect(plain.status == 200)
        for variant in [
          "?", "?foo=bar", "?ordering=id", "?ordering=bogus", "?limit=", "?limit=0",
          "?limit=-3", "?limit=abc", "?limit=1.5", "?offset=2", "?search=",
        ] {
          let other = try await client.get(path + variant)
          #expect(other.status == 200, "\(path)\(variant): \(other)")
          #expect(other.body == plain.body, "\(path)\(variant)")
        }
        // The task path (a token skips the loop-thread answer) gives the same bytes.
        #expect(try await client.get(path, token: admin.token).body == plain.body)
        #expect(try await client.get(path + "?x=1", token: admin.token).body == plain.body)
      }
      // A filtered list is encoded exactly as the snapshot encodes its items.
      let all = try await client.get("/products/")
      let filtered = try await client.get("/products/?ordering=-id")
      #expect(filtered.json.jsonArray?.reversed() == all.json.jsonArray.map { Array($0) })
    }
  }

  @Test("pagination: DRF's envelope, next/previous keep the other parameters, offset 0 dropped")
  func pagination() async throws {
    try await withAPIServer { server in
      _ = try await Self.seed(server)
      let client = server.client
      let base = "http://127.0.0.1/api/products/"
      func page(_ query: String) async throws -> (Int?, String?, String?, [Int]) {
        let response = try await client.get("/products/?\(query)")
        #expect(response.status == 200, "\(query): \(response)")
        #expect(APIJSON.keys(response.json) == ["count", "next", "previous", "results"])
        return (
          response.json["count"]?.intValue, response.json["next"]?.stringValue,
          response.json["previous"]?.stringValue,
          (response.json["results"]?.jsonArray ?? []).compactMap { $0["id"]?.intValue }
        )
      }
      var result = try await page("limit=2")
      #expect(result.0 == 5 && result.3 == [1, 2])
      #expect(result.1 == base + "?limit=2&offset=2" && result.2 == nil)
      result = try await page("limit=2&offset=2")
      #expect(result.3 == [3, 4])
      #expect(result.1 == base + "?limit=2&offset=4" && result.2 == base + "?limit=2")
      result = try await page("offset=4&limit=2")
      #expect(result.3 == [5] && result.1 == nil && result.2 == base + "?limit=2&offset=2")
      result = try await page("limit=2&offset=3")
      #expect(result.3 == [4, 5] && result.1 == nil && result.2 == base + "?limit=2&offset=1")
      result = try await page("limit=2&offset=10")
      #expect(result.0 == 5 && result.3 == [] && result.1 == nil)
      #expect(result.2 == base + "?limit=2&offset=8")
      result = try await page("limit=2&offset=99999999999999999999999")
      #expect(result.3 == [] && result.1 == nil)
      #expect(result.2 == base + "?limit=2&offset=99999999999999999999997")
      result = try await page("limit=%2B2&offset=abc")
      #expect(result.3 == [1, 2] && result.1 == base + "?limit=2&offset=2")
      result = try await page("limit=2&offset=-1")
      #expect(result.3 == [1, 2])
      result = try await page("limit=1000000000000000000000")
      #expect(result.3 == [1, 2, 3, 4, 5] && result.1 == nil && result.2 == nil)
      // Filters first: count is the total after them; next keeps them, sorted and re-encoded.
      result = try await page("ordering=-price&category=1&limit=1")
      #expect(result.0 == 3 && result.3 == [3])
      #expect(result.1 == base + "?category=1&limit=1&offset=1&ordering=-price")
      result = try await page("search=e%2C+s&limit=1&x")
      #expect(result.0 == 2 && result.3 == [1])
      #expect(result.1 == base + "?limit=1&offset=1&search=e%2C+s&x=")
      result = try await page("category=2&category=1&limit=1&search=cr%c3%a8me")
      #expect(result.0 == 1 && result.3 == [4] && result.1 == nil)
      result = try await page("category=2&category=1&limit=1")
      #expect(result.1 == base + "?category=2&category=1&limit=1&offset=1")
      result = try await page("limit=1&offset=2&search=%7E+%2F")
      #expect(result.0 == 0 && result.3 == [] && result.1 == nil)
      #expect(result.2 == base + "?limit=1&offset=1&search=~+%2F")
      // Bad filters are still 400, paginated or not.
      expectJSON(
        try await client.get("/products/?limit=1&min_price=z"), 400,
        #"{"min_price": ["Enter a number."]}"#)
      // Categories paginate the same way.
      let categories = try await client.get("/products/categories/?search=CARE&limit=1")
      expectJSON(
        categories, 200,
        #"""
        {"count": 2, "next": "http://127.0.0.1/api/products/categories/?limit=1&offset=1&search=CARE",
         "previous": null, "results": [{"id": 1, "name": "Skincare"}]}
        """#)
      #expect(try await Self.ids(client, "/products/categories/?ordering=name") == [3, 2, 1])
      #expect(try await Self.ids(client, "/products/categories/?search=hair") == [2])
    }
  }

  @Test("pagination: limit capped at api.max_page_size; links from the Host header")
  func limitsAndHosts() async throws {
    try await withAPIServer(adjust: { $0.api.maxPageSize = 3 }) { server in
      _ = try await Self.seed(server)
      let client = server.client
      let capped = try await client.get("/products/?limit=50")
      #expect(capped.json["results"]?.jsonArray?.count == 3)
      #expect(
        capped.json["next"] == .string("http://127.0.0.1/api/products/?limit=3&offset=3"))
      let port = server.port
      func raw(_ head: String) async throws -> APIResponse {
        try await ClientThreads.one {
          let connection = try TestConnection(port: port)
          defer { connection.close() }
          try connection.send(Array(head.utf8))
          return APIResponse(try connection.readResponse())
        }
      }
      let hosted = try await raw(
        "GET /api/products/?limit=2 HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n")
      #expect(
        hosted.json["next"] == .string("http://Shop.Example:8080/api/products/?limit=2&offset=2"),
        "\(hosted)")
      let ipv6 = try await raw("GET /api/products?limit=2 HTTP/1.1\r\nHost: [::1]:9\r\n\r\n")
      #expect(ipv6.json["next"] == .string("http://[::1]:9/api/products?limit=2&offset=2"))
      let old = try await raw(
        "GET /api/products/?limit=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
      #expect(old.json["next"] == .string("http://127.0.0.1/api/products/?limit=2&offset=2"))
      for host in ["exa_mple.com", "example.com:80x", "[zz::1]"] {
        expectDetail(
          try await raw("GET /api/products/?limit=2 HTTP/1.1\r\nHost: \(host)\r\n\r\n"), 400,
          "Invalid HTTP_HOST header: '\(host)'. The domain name provided is not valid according to RFC 1034/1035."
        )
      }
      // Without pagination the Host header is not read.
      #expect(
        try await raw("GET /api/products/?search=a HTTP/1.1\r\nHost: exa_mple.com\r\n\r\n")
          .status == 200)
    }
  }

  @Test("orders: status and ordering filters, each user's own, paginated")
  func orderQueries() async throws {
    try await withAPIServer { server in
      let admin = try await Self.seed(server)
      let client = server.client
      let alice = try await client.user("alice")
      let bob = try await client.user("bob")
      let body = #"{"items": [{"product": 3, "quantity": 1}]}"#
      for user in [alice, alice, bob, alice] { _ = try await client.order(body, user: user) }
      _ = try await client.patch(
        "/orders/1/update-status/", #"{"status": "paid"}"#, token: admin.token)
      _ = try await client.patch(
        "/orders/2/update-status/", #"{"status": "cancelled"}"#, token: admin.token)
      #expect(try await Self.ids(client, "/orders/?status=created", token: alice.token) == [4])
      #expect(try await Self.ids(client, "/orders/?status=paid", token: alice.token) == [1])
      #expect(try await Self.ids(client, "/orders/?status=paid", token: bob.token) == [])
      #expect(try await Self.ids(client, "/orders/?status=created", token: admin.token) == [3, 4])
      #expect(try await Self.ids(client, "/orders/?status=", token: admin.token) == [1, 2, 3, 4])
      #expect(try await Self.ids(client, "/orders/?ordering=-id", token: alice.token) == [4, 2, 1])
      #expect(
        try await Self.ids(client, "/orders/?ordering=-updated_at", token: admin.token)
          == [2, 1, 4, 3])
      #expect(
        try await Self.ids(client, "/orders/?ordering=created_at", token: admin.token)
          == [1, 2, 3, 4])
      #expect(
        try await Self.ids(client, "/orders/?ordering=price", token: admin.token) == [1, 2, 3, 4])
      for value in ["foo", "CREATED", "paid%20"] {
        let decoded = value.replacingOccurrences(of: "%20", with: " ")
        expectJSON(
          try await client.get("/orders/?status=\(value)", token: alice.token), 400,
          #"{"status": ["Select a valid choice. \#(decoded) is not one of the available choices."]}"#
        )
      }
      let page = try await client.get("/orders/?limit=1&ordering=-id", token: admin.token)
      #expect(page.json["count"] == .int(4))
      #expect(
        page.json["next"] == .string("http://127.0.0.1/api/orders/?limit=1&offset=1&ordering=-id"))
      #expect(page.json["previous"] == .null)
      let all = try await client.get("/orders/", token: admin.token)
      #expect(page.json["results"]?.jsonArray?.first == all.json.jsonArray?.last)
      let filteredPage = try await client.get(
        "/orders/?status=created&limit=5&offset=1", token: admin.token)
      #expect(filteredPage.json["count"] == .int(2))
      #expect(filteredPage.json["results"]?.jsonArray == [all.json.jsonArray![3]])
      #expect(
        filteredPage.json["previous"]
          == .string("http://127.0.0.1/api/orders/?limit=5&status=created"))
      // Unknown parameters leave the plain list as it was.
      #expect(try await client.get("/orders/?x=1", token: admin.token).body == all.body)

      // Detail: the owner or an admin; anyone else gets the 404 of an unknown id.
      let own = try await client.get("/orders/3/", token: bob.token)
      #expect(own.status == 200 && own.json == all.json.jsonArray?[2], "\(own)")
      #expect(try await client.get("/orders/3/", token: admin.token).json == own.json)
      for (id, token) in [(1, bob.token), (3, alice.token), (99, admin.token)] {
        expectDetail(
          try await client.get("/orders/\(id)/", token: token), 404,
          "No Order matches the given query.")
      }
      expectDetail(
        try await client.get("/orders/3/"), 401, "Authentication credentials were not provided.")
    }
  }
}
