import JSON
import Testing

/// Request bodies that once crashed or stalled the server, over HTTP.
@Suite("Request body parsing over HTTP")
struct RequestBodyTests {
  @Test("an escaped key around a nested object is parsed, not a crash")
  func escapedKeyAroundNestedObject() async throws {
    try await withAPIServer { server in
      for body in [#"{"a":{"\n":1}}"#, #"{"\u0041":{"b":1}}"#] {
        expectJSON(
          try await server.client.post("/users/login/", body), 400,
          #"{"username": ["This field is required."], "password": ["This field is required."]}"#)
      }
      _ = try await server.client.user("nested")
      let login = try await server.client.post(
        "/users/login/",
        #"{"extra":{"\u0041":{"b":1}},"username":"nested","password":"password-123"}"#)
      #expect(login.status == 200, "\(login)")
    }
  }

  @Test("nesting up to the depth limit is parsed in the request task; one deeper is a 400")
  func nestingAtTheDepthLimit() async throws {
    try await withAPIServer { server in
      let limit = JSONParser.maximumDepth
      func nested(_ depth: Int) -> String {
        #"{"username":"u","password":"p","x":"#
          + String(repeating: #"{"\u0061":["#, count: depth / 2)
          + String(repeating: "]}", count: depth / 2) + "}"
      }
      let deepest = try await server.client.post("/users/login/", nested(limit - 2))
      expectJSON(
        deepest, 400, #"{"non_field_errors": ["Unable to log in with provided credentials."]}"#)
      let tooDeep = try await server.client.post("/users/login/", nested(limit))
      #expect(tooDeep.status == 400, "\(tooDeep)")
      let detail = try #require(tooDeep.json["detail"]?.stringValue)
      #expect(
        detail.hasPrefix("JSON parse error - Nesting deeper than \(limit) levels"), "\(detail)")
    }
  }

  @Test(
    "a form with more than 1000 fields is 400 {\"detail\": \"The number of fields exceeded 1000.\"}"
  )
  func formFieldLimit() async throws {
    try await withAPIServer { server in
      let padding = (0..<997).map { "pad\($0)=x" }.joined(separator: "&")
      let registered = try await server.client.request(
        "POST", "/users/register/",
        body: .form("username=many&email=many%40example.com&password=pass+word+1&" + padding))
      expectJSON(registered, 201, #"{"id": 1, "username": "many", "email": "many@example.com"}"#)
      // Exactly 1000 fields (3 + 997) log in; 1001 do not.
      let login = try await server.client.request(
        "POST", "/users/login/", body: .form("username=many&password=pass+word+1&x&" + padding))
      #expect(login.status == 200, "\(login)")
      expectDetail(
        try await server.client.request(
          "POST", "/users/login/", body: .form("username=many&password=pass+word+1&x&y&" + padding)),
        400, "The number of fields exceeded 1000.")
      let many = (0..<100_000).map { "k\($0)=v" }.joined(separator: "&")
      expectDetail(
        try await server.client.request("POST", "/users/login/", body: .form(many)),
        400, "The number of fields exceeded 1000.")
    }
  }
}
