import Foundation
import HTTPTestSupport
import JSON
import Testing

@testable import Storefront

/// API.md's throttling over HTTP: `throttle.anon` per client address on register and login,
/// `throttle.user` per user on authenticated requests, `X-Forwarded-For` from trusted proxies.
@Suite("Throttling over HTTP")
struct APIThrottleTests {
  static let badLogin = APIBody.json(#"{"username": "nobody", "password": "wrong-password"}"#)

  private func login(
    _ server: APITestServer, forwardedFor: String? = nil
  ) async throws -> APIResponse {
    try await server.client.request(
      "POST", "/users/login/", body: Self.badLogin,
      headers: forwardedFor.map { [("X-Forwarded-For", $0)] } ?? [])
  }

  /// Checks a 429 as DRF answers it and returns its wait in seconds.
  @discardableResult
  private func expectThrottled(
    _ response: APIResponse, atMost period: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Int {
    try #require(response.status == 429, "\(response)", sourceLocation: sourceLocation)
    let wait = try #require(
      response.headers["retry-after"].flatMap { Int($0) }, sourceLocation: sourceLocation)
    #expect((1...period).contains(wait), sourceLocation: sourceLocation)
    let unit = wait == 1 ? "second" : "seconds"
    #expect(
      response.text
        == #"{"detail":"Request was throttled. Expected available in \#(wait) \#(unit)."}"#,
      sourceLocation: sourceLocation)
    #expect(response.headers["content-type"] == "application/json", sourceLocation: sourceLocation)
    return wait
  }

  @Test("Off by default: many logins and authenticated reads are never throttled")
  func offByDefault() async throws {
    try await withAPIServer { server in
      let user = try await server.client.user("alice")
      for _ in 0..<25 {
        #expect(try await login(server).status == 400)
        #expect(try await server.client.get("/orders/", token: user.token).status == 200)
      }
    }
  }

  @Test("throttle.anon counts register and login per address and answers 429 beyond it")
  func anonymousRate() async throws {
    try await withAPIServer(adjust: { $0.throttle.anon = ThrottleRate("3/minute") }) { server in
      #expect(try await login(server).status == 400)
      try await server.client.register("alice")
      #expect(try await login(server).status == 400)
      try expectThrottled(try await login(server), atMost: 60)
      let register = try await server.client.post(
        "/users/register/",
        #"{"username": "bob", "email": "bob@example.com", "password": "password-123"}"#)
      try expectThrottled(register, atMost: 60)
      #expect(await server.app.shop.auth.user(named: "bob") == nil)
      // A token on login is ignored: still anonymous, still throttled.
      let token = try await server.app.shop.auth.login(
        .object(["username": .string("alice"), "password": .string("password-123")])
      ).token
      try expectThrottled(
        try await server.client.request(
          "POST", "/users/login/", token: token, body: Self.badLogin), atMost: 60)
      // Other routes are not anonymous-throttled.
      #expect(try await server.client.get("/products/").status == 200)
      #expect(try await server.client.get("/orders/", token: token).status == 200)
    }
  }

  @Test("throttle.user counts each user's authenticated requests separately")
  func userRate() async throws {
    try await withAPIServer(adjust: { $0.throttle.user = ThrottleRate("3/minute") }) { server in
      let alice = try await server.client.user("alice")
      let bob = try await server.client.user("bob")
      for _ in 0..<3 {
        #expect(try await server.client.get("/orders/", token: alice.token).status == 200)
      }
      try expectThrottled(try await server.client.get("/orders/", token: alice.token), atMost: 60)
      // Every request made with the token counts, catalog reads too.
      try expectThrottled(
        try await server.client.get("/products/", token: alice.token), atMost: 60)
      #expect(try await server.client.get("/orders/", token: bob.token).status == 200)
      // Anonymous reads and logins are not user-throttled.
      #expect(try await server.client.get("/products/").status == 200)
      _ = try await server.client.login("alice")
      // An invalid token is a 401 before any throttling.
      #expect(
        try await server.client.get("/orders/", token: String(repeating: "0", count: 40)).status
          == 401)
    }
  }

  @Test("X-Forwarded-For names the client only when the peer is a trusted proxy")
  func forwardedFromTrustedProxies() async throws {
    try await withAPIServer(adjust: {
      $0.throttle.anon = ThrottleRate("2/minute")
      $0.throttle.trustedProxies = ["127.0.0.1"]
    }) { server in
      #expect(try await login(server, forwardedFor: "198.51.100.1").status == 400)
      #expect(try await login(server, forwardedFor: "198.51.100.1").status == 400)
      try expectThrottled(try await login(server, forwardedFor: "198.51.100.1"), atMost: 60)
      #expect(try await login(server, forwardedFor: "198.51.100.2").status == 400)
      // The right-most untrusted entry is the client; a forged left part changes nothing.
      #expect(
        try await login(server, forwardedFor: "203.0.113.9, 198.51.100.2, 127.0.0.1").status == 400)
      try expectThrottled(try await login(server, forwardedFor: "198.51.100.2"), atMost: 60)
      // The proxy's own requests count for the proxy.
      #expect(try await login(server).status == 400)
    }
  }

  @Test("From an untrusted peer X-Forwarded-For is ignored")
  func forwardedFromUntrustedPeer() async throws {
    try await withAPIServer(adjust: {
      $0.throttle.anon = ThrottleRate("2/minute")
      $0.throttle.trustedProxies = ["10.9.9.9"]
    }) { server in
      #expect(try await login(server, forwardedFor: "198.51.100.1").status == 400)
      #expect(try await login(server, forwardedFor: "198.51.100.2").status == 400)
      try expectThrottled(try await login(server, forwardedFor: "198.51.100.3"), atMost: 60)
    }
  }
}
