import Foundation
import HTTPTestSupport
import JSON
import Testing

@testable import Storefront

/// What a hostile or sloppy client gets from the API: the cases of the hardening issue,
/// over real sockets, with exact statuses and JSON bodies.
@Suite("API: hostile clients", .serialized)
struct APIHostileClientTests {
  @Test("HEAD has the GET's headers and Content-Length but no body")
  func head() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      let category = try await server.client.category("Mugs", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Mug", "price": "9.50", "category": \#(category)}"#, admin: admin)
      let port = server.port
      let (get, head, next) = try await ClientThreads.one {
        let connection = try TestConnection(port: port)
        let get = try connection.request("GET", "/api/products/")
        let head = try connection.request("HEAD", "/api/products/")
        let next = try connection.request("GET", "/api/health/")
        return (get, head, next)
      }
      #expect(head.status == 200)
      #expect(head.headers["content-length"] == String(get.body.count))
      #expect(head.headers["content-type"] == "application/json")
      #expect(next.text == #"{"status":"ok"}"#)
    }
  }

  @Test("unknown methods are a JSON 405 with Allow on known paths, 404 elsewhere")
  func unknownMethods() async throws {
    try await withAPIServer { server in
      for method in ["FOOBAR", "PROPFIND", "QUERY", "get", "CONNECT"] {
        let known = try await server.client.request(method, "/products/")
        expectDetail(known, 405, "Method \"\(method)\" not allowed.")
        #expect(known.headers["allow"] == "GET, HEAD, OPTIONS", "\(method)")
        #expect(known.headers["content-length"] == String(known.body.count))
        expectDetail(try await server.client.request(method, "/nope/"), 404, "Not found.")
      }
    }
  }

  @Test("a NUL in a header value is 400; it does not truncate a token that then authenticates")
  func nulInHeader() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("alice")
      let response = try await server.client.request(
        "GET", "/orders/", authorization: "Token \(user.token)\u{0}junk")
      expectDetail(response, 400, "Invalid character in a header field value.")
    }
  }

  @Test("two Authorization headers are one joined value, as DRF behind gunicorn reads them")
  func twoAuthorizationHeaders() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("alice")
      let response = try await server.client.request(
        "GET", "/orders/",
        headers: [
          ("Authorization", "Token \(user.token)"), ("Authorization", "Token \(user.token)"),
        ])
      expectDetail(response, 401, "Invalid token header. Token string should not contain spaces.")
      // One of them alone is fine.
      #expect(try await server.client.get("/orders/", token: user.token).status == 200)
    }
  }

  @Test("register and login ignore Authorization, valid, revoked or malformed")
  func viewsWithoutCredentials() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("alice")
      let revoked = try await server.client.login("alice")
      #expect(try await server.client.post("/users/logout/", token: revoked).status == 200)
      for authorization in [
        "Token \(user.token)", "Token \(revoked)", "Token", "Token a b", "Token nonsense",
      ] {
        let login = try await server.client.request(
          "POST", "/users/login/", authorization: authorization,
          body: .json(#"{"username": "alice", "password": "password-123"}"#))
        #expect(login.status == 200, "\(authorization): \(login)")
        let name = "u\(abs(authorization.hashValue) % 100_000)"
        let register = try await server.client.request(
          "POST", "/users/register/", authorization: authorization,
          body: .json(
            #"{"username": "\#(name)", "email": "\#(name)@example.com", "password": "password-123"}"#
          ))
        #expect(register.status == 201, "\(authorization): \(register)")
      }
    }
  }

  @Test("the 14-byte body that crashed the parser is a 400; the server keeps serving")
  func parserCrashBody() async throws {
    try await withAPIServer { server in
      for body in [#"{"a":{"\n":1}}"#, #"{"\u0041":{"b":1}}"#] {
        let response = try await server.client.request(
          "POST", "/users/login/", body: .raw(Array(body.utf8), contentType: "application/json"))
        #expect(response.status == 400, "\(response)")
      }
      #expect(try await server.client.get("/health/").status == 200)
    }
  }

  @Test("hundreds of trickling connections are closed at the deadline; others are served")
  func slowloris() async throws {
    ProcessResources.raiseFileLimit(to: 4096)
    try await withAPIServer(adjust: { $0.limits.requestTimeoutSeconds = 2 }) { server in
      let port = server.port
      let count = 300
      // Each connection sends the start of a request and then one byte every 300 ms, so an
      // idle timer per read would never fire.
      let tricklers = try await ClientThreads.one {
        try (0..<count).map { _ -> TestConnection in
          let connection = try TestConnection(port: port, timeout: 15)
          try connection.send(Array("GET /api/health/ HTTP/1.1\r\nHost: x\r\n".utf8))
          return connection
        }
      }
      let feeder = Task.detached {
        try await ClientThreads.one {
          for _ in 0..<5 {
            for connection in tricklers { try? connection.send(Array("X".utf8)) }
            Thread.sleep(forTimeInterval: 0.3)
          }
        }
      }
      // Meanwhile an ordinary client is answered every time.
      for _ in 0..<20 {
        let response = try await server.client.get("/products/")
        #expect(response.status == 200)
      }
      try await feeder.value
      let outcomes = try await ClientThreads.one {
        tricklers.map { connection -> (Int?, Bool) in
          let status = (try? connection.readResponse())?.status
          return (status, connection.readsEOF())
        }
      }
      #expect(outcomes.filter { $0.0 == 408 && $0.1 }.count == count, "\(outcomes.prefix(5))")
      for _ in 0..<200 where server.http.stats.openConnections.load(ordering: .relaxed) != 0 {
        try await Task.sleep(for: .milliseconds(10))
      }
      #expect(server.http.stats.openConnections.load(ordering: .relaxed) == 0)
    }
  }
}
