import Foundation
import HTTPTestSupport
import JSON
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// config/nginx/storefront.conf in front of `storefront serve`: Debian's nginx on free ports
/// with a self-signed certificate made here, driven over HTTPS with curl.
@Suite("Operations: nginx TLS termination", .serialized)
struct OperationsNginxTests {
  @Test(
    "HTTPS through nginx: the API, request ids, X-Forwarded-For for the throttle, limits, keep-alive",
    .enabled(
      if: ExternalTool.available(NginxEdge.tools) || ExternalTool.inCI,
      "nginx, openssl or curl is missing: run scripts/setup (apt-get install nginx openssl curl)"),
    .timeLimit(.minutes(5)))
  func httpsThroughNginx() async throws {
    let directory = try APIDataDirectory()
    let work = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: work + "/data", workDirectory: work,
        environment: [
          "STOREFRONT_THROTTLE_ANON": "2/minute",
          "STOREFRONT_THROTTLE_TRUSTED_PROXIES": "127.0.0.1",
        ])
    }
    defer { try? server.killHard() }

    let (edge, nginx) = try await NginxEdge.prepare(work: work)
    // The limits at the edge match Storefront's defaults.
    let configuration = try edge.shippedConfiguration(
      "storefront.conf",
      replacements: [("server 127.0.0.1:8000;", "server 127.0.0.1:\(server.port);")],
      lines: [
        "client_max_body_size 1m;", "client_header_timeout 30s;", "client_body_timeout 30s;",
        "keepalive_timeout 25s;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      ])
    let proxy = try await edge.start(nginx, configuration: configuration)
    defer { _ = try? proxy.stop(with: SIGTERM) }

    try await ClientThreads.one {
      // The API over HTTPS, with nginx's request id passed on and echoed.
      let health = try edge.request("GET", "/api/health/")
      #expect(health.status == 200)
      #expect(health.body == #"{"status":"ok"}"#)
      #expect(health.headers["x-request-id"]?.wholeMatch(of: /[0-9a-f]{32}/) != nil)
      let traced = try edge.request("GET", "/api/health/", headers: ["X-Request-Id: edge-1"])
      #expect(traced.headers["x-request-id"] == "edge-1")

      // The throttle counts the client nginx saw (X-Forwarded-For from a trusted proxy).
      func register(_ name: String, from: String, headers: [String] = []) throws -> NginxEdge.Reply
      {
        try edge.request(
          "POST", "/api/users/register/", from: from,
          headers: ["Content-Type: application/json"] + headers,
          body:
            #"{"username": "\#(name)", "email": "\#(name)@example.com", "password": "password-123"}"#
        )
      }
      #expect(try register("alice", from: "127.0.0.2").status == 201)
      #expect(try register("bob", from: "127.0.0.2").status == 201)
      let third = try register("carol", from: "127.0.0.2")
      #expect(third.status == 429, "\(third.body)")
      #expect(third.headers["retry-after"] != nil)
      #expect(try register("dave", from: "127.0.0.3").status == 201)
      // A forged X-Forwarded-For does not escape: nginx appends the real address.
      let forged = try register(
        "erin", from: "127.0.0.2", headers: ["X-Forwarded-For: 198.51.100.7"])
      #expect(forged.status == 429)

      let login = try edge.request(
        "POST", "/api/users/login/", from: "127.0.0.4",
        headers: ["Content-Type: application/x-www-form-urlencoded"],
        body: "username=alice&password=password-123")
      #expect(login.status == 200, "\(login.body)")
      let token = try JSONParser.parse(login.body)["token"]?.stringValue ?? ""
      let orders = try edge.request(
        "GET", "/api/orders/", headers: ["Authorization: Token \(token)"])
      #expect(orders.status == 200)
      #expect(orders.body == "[]")

      // Storefront's body limit at the edge; metrics are not public; plain HTTP redirects.
      let large = try edge.request(
        "POST", "/api/users/register/", headers: ["Content-Type: application/json"],
        body: String(repeating: "x", count: (1 << 20) + 1))
      #expect(large.status == 413)
      let metrics = try edge.request("GET", "/metrics")
      #expect(metrics.status == 404)
      #expect(metrics.body == #"{"detail":"Not found."}"#)
      let plain = try edge.request("GET", "/api/health/", https: false)
      #expect(plain.status == 301)
      #expect(plain.headers["location"] == "https://127.0.0.1/api/health/")
    }

    // nginx keeps its upstream connection open between requests (keep-alive), and Storefront
    // answered every proxied request.
    let scrape = try await PrometheusText.scrape(port: server.port)
    #expect(scrape.sum("storefront_http_open_connections") >= 2)
    #expect(
      scrape.value(
        "storefront_http_requests_total",
        ["route": "/api/users/register/", "method": "POST", "status": "201"]) == 3)
    #expect(
      scrape.value(
        "storefront_http_requests_total",
        ["route": "/api/health/", "method": "GET", "status": "200"]) >= 2)
    #expect(try proxy.stop(with: SIGQUIT) == 0)
    #expect(try server.terminate() == 0)
  }
}
