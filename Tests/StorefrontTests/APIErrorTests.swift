import JSON
import Testing

/// Every row of API.md's error table over HTTP, and the auth rules of every protected route.
@Suite("API errors and auth rules over HTTP")
struct APIErrorTests {
  /// A protected route and a body it would accept.
  struct ProtectedRoute: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    var body: String?
    var adminOnly: Bool
    var description: String { "\(method) \(path)" }
  }

  static let protectedRoutes: [ProtectedRoute] = [
    ProtectedRoute(method: "POST", path: "/users/logout/", body: nil, adminOnly: false),
    ProtectedRoute(method: "POST", path: "/users/logout-all/", body: nil, adminOnly: false),
    ProtectedRoute(
      method: "POST", path: "/products/create/",
      body: #"{"name": "P", "price": 1, "category": 1}"#, adminOnly: true),
    ProtectedRoute(
      method: "POST", path: "/products/categories/create/", body: #"{"name": "C2"}"#,
      adminOnly: true),
    ProtectedRoute(
      method: "POST", path: "/orders/", body: #"{"items": [{"product": 1, "quantity": 1}]}"#,
      adminOnly: false),
    ProtectedRoute(method: "GET", path: "/orders/", body: nil, adminOnly: false),
    ProtectedRoute(
      method: "PATCH", path: "/orders/1/update-status/", body: #"{"status": "paid"}"#,
      adminOnly: true),
  ]

  @Test("every protected route: 401 for each bad Authorization, 403 for non-admins")
  func authRulesForEveryProtectedRoute() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let user = try await server.client.user("testuser")
      let revoked = try await server.client.login("testuser")
      #expect(try await server.client.post("/users/logout/", token: revoked).status == 200)
      _ = try await server.client.category("C", admin: admin)
      _ = try await server.client.product(
        #"{"name": "P0", "price": 1, "category": 1}"#, admin: admin)
      _ = try await server.client.order(#"{"items": [{"product": 1, "quantity": 1}]}"#, user: user)
      let unknown = String(repeating: "ab", count: 20)

      let cases: [(authorization: String?, detail: String)] = [
        (nil, "Authentication credentials were not provided."),
        ("Token", "Invalid token header. No credentials provided."),
        ("Token ", "Invalid token header. No credentials provided."),
        ("Token a b", "Invalid token header. Token string should not contain spaces."),
        ("Token\ta\tb", "Invalid token header. Token string should not contain spaces."),
        ("Token\t\(unknown)", "Invalid token."),
        ("Token \(unknown)", "Invalid token."),
        ("token \(unknown)", "Invalid token."),
        ("Token \(revoked)", "Invalid token."),
        // Another scheme is not token authentication: anonymous.
        ("Bearer \(user.token)", "Authentication credentials were not provided."),
      ]
      for route in Self.protectedRoutes {
        for (authorization, detail) in cases {
          let response = try await server.client.request(
            route.method, route.path, authorization: authorization,
            body: route.body.map { .json($0) })
          #expect(response.status == 401, "\(route) with \(authorization ?? "no header")")
          expectDetail(response, 401, detail)
        }
        if route.adminOnly {
          let response = try await server.client.request(
            route.method, route.path, token: user.token, body: route.body.map { .json($0) })
          #expect(response.status == 403, "\(route) as a non-admin")
          expectDetail(response, 403, "You do not have permission to perform this action.")
          #expect(response.headers["www-authenticate"] == nil)
        }
      }
      // Nothing was changed by the refused calls: one category, one product, one order, and
      // the user's token still works.
      expectJSON(
        try await server.client.get("/products/categories/"), 200, #"[{"id": 1, "name": "C"}]"#)
      #expect(try await server.client.get("/products/").json.jsonArray?.count == 1)
      #expect(
        try await server.client.get("/orders/", token: admin.token).json.jsonArray?.count == 1)
      let orders = try await server.client.get("/orders/", token: user.token)
      #expect(orders.json.jsonArray?.first?["status"] == .string("created"))
    }
  }

  @Test("register ignores is_staff: a registered user is never an admin")
  func registerCannotMakeAdmins() async throws {
    try await withAPIServer { server in
      let response = try await server.client.post(
        "/users/register/",
        #"{"username": "sneaky", "email": "s@example.com", "password": "password-1", "is_staff": true, "is_superuser": true, "id": 77}"#
      )
      expectJSON(response, 201, #"{"id": 1, "username": "sneaky", "email": "s@example.com"}"#)
      let token = try await server.client.login("sneaky", "password-1")
      expectDetail(
        try await server.client.post(
          "/products/categories/create/", #"{"name": "X"}"#, token: token),
        403, "You do not have permission to perform this action.")
    }
  }

  @Test(
    "a bad token header is refused on public routes too (DRF authenticates first), not on register")
  func badTokenOnPublicRoutes() async throws {
    try await withAPIServer { server in
      let unknown = String(repeating: "0", count: 40)
      expectDetail(
        try await server.client.request("GET", "/products/", authorization: "Token \(unknown)"),
        401, "Invalid token.")
      expectDetail(
        try await server.client.request("GET", "/products/categories/", authorization: "Token"),
        401, "Invalid token header. No credentials provided.")
      // Except on the views that take no credentials (API.md): there it is ignored.
      let register = try await server.client.request(
        "POST", "/users/register/", authorization: "Token a b",
        body: .json(#"{"username": "x", "email": "x@example.com", "password": "password-1"}"#))
      #expect(register.status == 201, "\(register)")
      // A valid token on a public route is fine.
      let user = try await server.client.user("testuser")
      #expect(try await server.client.get("/products/", token: user.token).status == 200)
    }
  }

  @Test("unknown routes are 404 {\"detail\": \"Not found.\"}")
  func unknownRoute() async throws {
    try await withAPIServer { server in
      for path in [
        "/nope/", "/products/1/nope/", "/orders/abc/update-status/", "/orders/1/items/", "/users/",
        "//", "//api", "//apiproducts/", "//other/products/",
      ] {
        let response = try await server.client.get(path)
        #expect(response.status == 404, "\(path)")
        expectDetail(response, 404, "Not found.")
      }
      // Like Django's <int:pk>, a non-numeric id does not match the URL: 404 before any
      // authentication or method check.
      let admin = try await server.admin()
      for id in ["x1", "abc", "-1", "+1", "1.0", "٣"] {
        for token in [admin.token, nil] {
          for method in ["PATCH", "GET"] {
            let response = try await server.client.request(
              method, "/orders/\(id)/update-status/", token: token,
              body: .json(#"{"status": "paid"}"#))
            #expect(
              response.status == 404, "\(method) \(id) \(token == nil ? "anonymous" : "admin")")
            expectDetail(response, 404, "Not found.")
          }
        }
      }
    }
  }

  @Test("an unknown order id is 404 {\"detail\": \"No Order matches the given query.\"}")
  func unknownOrder() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      for id in [999, 0, 1] {
        expectDetail(
          try await server.client.patch(
            "/orders/\(id)/update-status/", #"{"status": "paid"}"#, token: admin.token), 404,
          "No Order matches the given query.")
      }
      // As DRF's get_object(), the lookup comes before the body is read.
      expectDetail(
        try await server.client.patch("/orders/1/update-status/", "{", token: admin.token), 404,
        "No Order matches the given query.")
      expectDetail(
        try await server.client.request(
          "PATCH", "/orders/1/update-status/", token: admin.token,
          body: .raw(Array("status=paid".utf8), contentType: "text/plain")), 404,
        "No Order matches the given query.")
      // A non-admin gets 403 whether the order exists or not.
      let user = try await server.client.user("testuser")
      expectDetail(
        try await server.client.patch(
          "/orders/999/update-status/", #"{"status": "paid"}"#, token: user.token), 403,
        "You do not have permission to perform this action.")
    }
  }

  @Test("a method not allowed on a known route is 405 with an Allow header")
  func methodNotAllowed() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let cases: [(method: String, path: String, allow: String)] = [
        ("PUT", "/products/", "GET, HEAD, OPTIONS"),
        ("DELETE", "/products/categories/", "GET, HEAD, OPTIONS"),
        ("GET", "/users/register/", "POST, OPTIONS"),
        ("GET", "/users/login/", "POST, OPTIONS"),
        ("PUT", "/users/logout/", "POST, OPTIONS"),
        ("GET", "/users/logout-all/", "POST, OPTIONS"),
        ("GET", "/products/create/", "POST, OPTIONS"),
        ("PUT", "/products/categories/create/", "POST, OPTIONS"),
        ("DELETE", "/orders/", "GET, POST, HEAD, OPTIONS"),
        ("GET", "/orders/1/update-status/", "PATCH, OPTIONS"),
      ]
      for (method, path, allow) in cases {
        let response = try await server.client.request(method, path, token: admin.token)
        expectDetail(response, 405, "Method \"\(method)\" not allowed.")
        #expect(response.headers["allow"] == allow, "\(method) \(path): \(response.headers)")
      }
      // Anonymous on a public route: 405 too.
      let anonymous = try await server.client.request("PUT", "/products/")
      expectDetail(anonymous, 405, "Method \"PUT\" not allowed.")
      #expect(anonymous.headers["allow"] == "GET, HEAD, OPTIONS")
      // Anonymous on a protected route: DRF authenticates before dispatching the method.
      expectDetail(
        try await server.client.request("DELETE", "/orders/"), 401,
        "Authentication credentials were not provided.")
    }
  }

  @Test("malformed JSON is 400 {\"detail\": \"JSON parse error - <reason>\"}")
  func malformedJSON() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let cases: [(path: String, body: String, reason: String)] = [
        ("/users/register/", #"{"username": }"#, "Expecting value: line 1 column 14 (char 13)"),
        (
          "/users/login/", "{",
          "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
        ),
        (
          "/products/categories/create/", #"{"name": "a",}"#,
          "Expecting property name enclosed in double quotes: line 1 column 14 (char 13)"
        ),
        ("/users/register/", #"{"a": 1} x"#, "Extra data: line 1 column 10 (char 9)"),
      ]
      for (path, body, reason) in cases {
        let response = try await server.client.post(path, body, token: admin.token)
        expectDetail(response, 400, "JSON parse error - \(reason)")
      }
      let response = try await server.client.post("/orders/", "[1, 2", token: admin.token)
      #expect(response.status == 400, "\(response)")
      let detail = try #require(response.json["detail"]?.stringValue)
      #expect(detail.hasPrefix("JSON parse error - "), "\(detail)")
      #expect(detail.count > "JSON parse error - ".count)
    }
  }

  @Test("a body that is not JSON or a form is 415 naming the media type")
  func unsupportedMediaType() async throws {
    try await withAPIServer { server in
      let body = Array(#"{"username": "a"}"#.utf8)
      for contentType in ["text/plain", "text/plain; charset=utf-8", "application/xml"] {
        expectDetail(
          try await server.client.request(
            "POST", "/users/login/", body: .raw(body, contentType: contentType)),
          415, "Unsupported media type \"\(contentType)\" in request.")
      }
      expectDetail(
        try await server.client.request(
          "POST", "/users/login/", body: .raw(body, contentType: nil)),
        415, "Unsupported media type \"\" in request.")
      // Parameters on the JSON type are fine.
      let response = try await server.client.request(
        "POST", "/users/login/",
        body: .raw(
          Array(#"{"username": "a", "password": "b"}"#.utf8),
          contentType: "application/json; charset=utf-8"))
      #expect(response.status == 400, "\(response)")
      #expect(response.json["non_field_errors"] != nil)
    }
  }

  @Test("a 2 MiB body is 413 {\"detail\": \"Request body too large.\"}; nothing is stored")
  func bodyTooLarge() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let big = #"{"name": ""# + String(repeating: "x", count: 2 << 20) + #""}"#
      expectDetail(
        try await server.client.post("/products/categories/create/", big, token: admin.token), 413,
        "Request body too large.")
      expectDetail(
        try await server.client.post("/users/register/", big), 413, "Request body too large.")
      expectJSON(try await server.client.get("/products/categories/"), 200, "[]")
      // The server still answers.
      _ = try await server.client.category("Small", admin: admin)
    }
  }

  @Test(
    "login with bad credentials is 400 non_field_errors, for a wrong password or an unknown user")
  func badCredentials() async throws {
    try await withAPIServer { server in
      _ = try await server.client.register("testuser", password: "right-password")
      let refused = #"{"non_field_errors": ["Unable to log in with provided credentials."]}"#
      expectJSON(
        try await server.client.post(
          "/users/login/", #"{"username": "testuser", "password": "wrong-password"}"#), 400,
        refused)
      expectJSON(
        try await server.client.post(
          "/users/login/", #"{"username": "nobody", "password": "right-password"}"#), 400, refused)
      expectJSON(
        try await server.client.post(
          "/users/login/", #"{"username": "TestUser", "password": "right-password"}"#), 400,
        refused)
      expectJSON(
        try await server.client.post("/users/login/", "{}"), 400,
        #"{"username": ["This field is required."], "password": ["This field is required."]}"#)
      expectJSON(
        try await server.client.post("/users/login/"), 400,
        #"{"username": ["This field is required."], "password": ["This field is required."]}"#)
    }
  }
}
