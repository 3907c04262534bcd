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
  static let tools = ["nginx", "openssl", "curl"]

  /// One HTTPS exchange through curl.
  struct Reply {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String
  }

  /// The test's nginx and the paths it uses.
  struct Edge {
    let work: String
    let curl: String
    let httpsPort: Int
    let httpPort: Int

    /// `curl` from source address `from` (a loopback address) to `path`.
    func request(
      _ method: String, _ path: String, from: String = "127.0.0.1", headers: [String] = [],
      body: String? = nil, https: Bool = true
    ) throws -> Reply {
      var arguments = [
        "-sS", "-i", "--max-time", "30", "--interface", from, "-X", method,
      ]
      if https { arguments += ["--cacert", work + "/cert.pem"] }
      for header in headers { arguments += ["-H", header] }
      if let body {
        let file = work + "/body-\(UUID().uuidString)"
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        arguments += ["--data-binary", "@" + file]
      }
      let url =
        https ? "https://127.0.0.1:\(httpsPort)\(path)" : "http://127.0.0.1:\(httpPort)\(path)"
      let result = try ExternalTool.run(curl, arguments + [url], in: work)
      guard result.status == 0 else { throw TestError("curl \(url): \(result.standardError)") }
      let output = result.standardOutput
      guard let split = output.range(of: "\r\n\r\n") else {
        throw TestError("no header end in curl's output: \(output)")
      }
      var lines = output[..<split.lowerBound].components(separatedBy: "\r\n")
      let statusLine = lines.removeFirst().split(separator: " ")
      var headers: [String: String] = [:]
      for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
          .trimmingCharacters(in: .whitespaces)
      }
      return Reply(
        status: Int(statusLine[1]) ?? 0, headers: headers,
        body: String(output[split.upperBound...]))
    }
  }

  /// The shipped configuration with the test's ports and certificate; every value replaced must
  /// be there (a changed file fails here, not silently).
  static func configuration(upstream: Int, https: Int, http: Int, work: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    var text = try String(
      contentsOfFile: root.appendingPathComponent("config/nginx/storefront.conf").path,
      encoding: .utf8)
    let replacements = [
      ("server 127.0.0.1:8000;", "server 127.0.0.1:\(upstream);"),
      ("listen 443 ssl;", "listen 127.0.0.1:\(https) ssl;"),
      ("listen [::]:443 ssl;", ""),
      ("listen 80;", "listen 127.0.0.1:\(http);"),
      ("listen [::]:80;", ""),
      ("/etc/ssl/storefront/fullchain.pem", work + "/cert.pem"),
      ("/etc/ssl/storefront/privkey.pem", work + "/key.pem"),
    ]
    for (from, to) in replacements {
      guard text.contains(from) else {
        throw TestError("config/nginx/storefront.conf no longer contains \(from)")
      }
      text = text.replacingOccurrences(of: from, with: to)
    }
    // The limits at the edge match Storefront's defaults.
    for line in [
      "client_max_body_size 1m;", "client_header_timeout 30s;", "client_body_timeout 30s;",
      "keepalive_timeout 25s;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";",
      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ] {
      guard text.contains(line) else { throw TestError("expected \(line) in the nginx config") }
    }
    return text
  }

  @Test(
    "HTTPS through nginx: the API, request ids, X-Forwarded-For for the throttle, limits, keep-alive",
    .enabled(
      if: ExternalTool.available(tools) || ExternalTool.inCI,
      "nginx, openssl or curl is missing: run scripts/setup (apt-get install nginx openssl curl)"),
    .timeLimit(.minutes(5)))
  func httpsThroughNginx() async throws {
    let nginx = try ExternalTool.require("nginx", package: "nginx")
    let openssl = try ExternalTool.require("openssl", package: "openssl")
    let curl = try ExternalTool.require("curl", package: "curl")
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

    let certificate = try await ClientThreads.one {
      try ExternalTool.run(
        openssl,
        [
          "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work + "/key.pem", "-out",
          work + "/cert.pem", "-days", "1", "-subj", "/CN=localhost", "-addext",
          "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ], in: work)
    }
    try #require(certificate.status == 0, "\(certificate.standardError)")
    let edge = Edge(
      work: work, curl: curl, httpsPort: try FreePort.pick(), httpPort: try FreePort.pick())
    try Self.configuration(
      upstream: server.port, https: edge.httpsPort, http: edge.httpPort, work: work
    ).write(toFile: work + "/storefront.conf", atomically: true, encoding: .utf8)
    var main = """
      daemon off;
      master_process on;
      worker_processes 1;
      pid \(work)/nginx.pid;
      error_log \(work)/error.log warn;
      events { worker_connections 256; }
      http {
        access_log \(work)/access.log;
        client_body_temp_path \(work)/body;
        proxy_temp_path \(work)/proxy;
        fastcgi_temp_path \(work)/fastcgi;
        uwsgi_temp_path \(work)/uwsgi;
        scgi_temp_path \(work)/scgi;
        include \(work)/storefront.conf;
      }

      """
    // As root nginx's workers would switch to nobody, who cannot enter the test's directory.
    if geteuid() == 0 { main = "user root;\n" + main }
    try main.write(toFile: work + "/nginx.conf", atomically: true, encoding: .utf8)
    let nginxArguments = ["-c", work + "/nginx.conf", "-p", work + "/", "-e", work + "/error.log"]
    let checked = try await ClientThreads.one {
      try ExternalTool.run(nginx, ["-t"] + nginxArguments, in: work)
    }
    try #require(checked.status == 0, "nginx -t: \(checked.standardError)")
    let proxy = try StorefrontChild(
      nginxArguments, workDirectory: work, testDefaults: false,
      executable: URL(fileURLWithPath: nginx))
    defer { _ = try? proxy.stop(with: SIGTERM) }
    try await ClientThreads.one {
      let deadline = Date().addingTimeInterval(30)
      while (try? TestConnection(port: edge.httpsPort, timeout: 2)) == nil {
        guard !proxy.hasExited, Date() < deadline else {
          throw TestError("nginx did not listen: \(proxy.standardError)")
        }
        usleep(20_000)
      }
    }

    try await ClientThreads.one {
      // The API over HTTPS, with nginx's request id passed on and echoed.
      let health = try edge.request("GET", "/api/health/")
      #expect(health.status == 200)
      #expect(health.body == #"{"status":"ok"}"#)
      #expect(health.headers["x-request-id"]?.wholeMatch(of: /[0-9a-f]{32}/) != nil)
      let traced = try edge.request("GET", "/api/health/", headers: ["X-Request-Id: edge-1"])
      #expect(traced.headers["x-request-id"] == "edge-1")

      // The throttle counts the client nginx saw (X-Forwarded-For from a trusted proxy).
      func register(_ name: String, from: String, headers: [String] = []) throws -> Reply {
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
