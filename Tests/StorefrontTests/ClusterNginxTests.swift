import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// config/nginx/storefront-cluster.conf in front of three nodes on one PostgreSQL log:
/// Debian's nginx over HTTPS (a certificate made here), driven with curl.
@Suite(
  "Cluster: nginx in front of three nodes", .serialized,
  .enabled(
    if: (PostgresCluster.available && ExternalTool.available(OperationsNginxTests.tools))
      || ExternalTool.inCI,
    "PostgreSQL, nginx, openssl or curl is missing: run scripts/setup"),
  .timeLimit(.minutes(5)))
struct ClusterNginxTests {
  /// The shipped cluster configuration with the test's ports and certificate; every value
  /// replaced must be there.
  static func configuration(upstreams: [Int], https: Int, http: Int, work: String) throws
    -> String
  {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    var text = try String(
      contentsOfFile: root.appendingPathComponent("config/nginx/storefront-cluster.conf").path,
      encoding: .utf8)
    var replacements = [
      ("listen 443 ssl;", "listen 127.0.0.1:\(https) ssl;"),
      ("listen [::]:443 ssl;", ""),
      ("listen 80;", "listen 127.0.0.1:\(http);"),
      ("listen [::]:80;", ""),
      ("/etc/ssl/storefront/fullchain.pem", work + "/cert.pem"),
      ("/etc/ssl/storefront/privkey.pem", work + "/key.pem"),
    ]
    for (index, port) in upstreams.enumerated() {
      replacements.append(("server 127.0.0.1:800\(index + 1) ", "server 127.0.0.1:\(port) "))
    }
    for (from, to) in replacements {
      guard text.contains(from) else {
        throw TestError("config/nginx/storefront-cluster.conf no longer contains \(from)")
      }
      text = text.replacingOccurrences(of: from, with: to)
    }
    // The limits at the edge match Storefront's defaults, as in storefront.conf.
    for line in [
      "client_max_body_size 1m;", "client_header_timeout 30s;", "client_body_timeout 30s;",
      "keepalive_timeout 25s;", "keepalive 32;", "proxy_http_version 1.1;",
      "proxy_set_header Connection \"\";", "proxy_read_timeout 60s;",
      "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ] {
      guard text.contains(line) else { throw TestError("expected \(line) in the nginx config") }
    }
    return text
  }

  @Test(
    "the API through nginx over three nodes: every node serves, writes and tokens hold across them")
  func apiThroughNginx() async throws {
    let nginx = try ExternalTool.require("nginx", package: "nginx")
    let openssl = try ExternalTool.require("openssl", package: "openssl")
    let curl = try ExternalTool.require("curl", package: "curl")
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let work = nodes.work.path
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
    let edge = OperationsNginxTests.Edge(
      work: work, curl: curl, httpsPort: try FreePort.pick(), httpPort: try FreePort.pick())
    try Self.configuration(
      upstreams: (0..<3).map { nodes.process($0).port }, https: edge.httpsPort,
      http: edge.httpPort, work: work
    ).write(toFile: work + "/storefront-cluster.conf", atomically: true, encoding: .utf8)
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
        include \(work)/storefront-cluster.conf;
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

    let adminToken = admin.token
    let tokenBox = Locked("")
    try await ClientThreads.one {
      let json = "Content-Type: application/json"
      let category = try edge.request(
        "POST", "/api/products/categories/create/",
        headers: [json, "Authorization: Token \(adminToken)"], body: #"{"name": "Kitchen"}"#)
      #expect(category.status == 201, "\(category.body)")
      let categoryId = try JSONParser.parse(category.body)["id"]?.intValue ?? 0
      let product = try edge.request(
        "POST", "/api/products/create/", headers: [json, "Authorization: Token \(adminToken)"],
        body: ClusterTests.productBody(category: categoryId, stock: 5))
      #expect(product.status == 201, "\(product.body)")
      let created = try JSONParser.parse(product.body)
      let productId = created["id"]?.intValue ?? 0
      let variantId = created["variants"]?.element(0)?["id"]?.intValue ?? 0

      // Each request may land on another node: register, log in, order, list.
      let register = try edge.request(
        "POST", "/api/users/register/", headers: [json],
        body: #"{"username": "alice", "email": "alice@example.com", "password": "password-123"}"#)
      #expect(register.status == 201, "\(register.body)")
      let login = try edge.request(
        "POST", "/api/users/login/", headers: [json],
        body: #"{"username": "alice", "password": "password-123"}"#)
      #expect(login.status == 200, "\(login.body)")
      let token = try JSONParser.parse(login.body)["token"]?.stringValue ?? ""
      var placed = 0
      for _ in 0..<8 {
        let order = try edge.request(
          "POST", "/api/orders/", headers: [json, "Authorization: Token \(token)"],
          body:
            #"{"items": [{"product": \#(productId), "variant": \#(variantId), "quantity": 1}]}"#)
        if order.status == 201 {
          placed += 1
        } else {
          #expect(order.status == 400, "\(order.body)")
          #expect(order.body.contains("Insufficient stock"), "\(order.body)")
        }
      }
      #expect(placed == 5)
      let orders = try edge.request(
        "GET", "/api/orders/", headers: ["Authorization: Token \(token)"])
      #expect(orders.status == 200)
      tokenBox.withLock { $0 = token }
      // Storefront's body limit at the edge; plain HTTP redirects.
      let large = try edge.request(
        "POST", "/api/users/register/", headers: [json],
        body: String(repeating: "x", count: (1 << 20) + 1))
      #expect(large.status == 413)
      let plain = try edge.request("GET", "/api/health/", https: false)
      #expect(plain.status == 301)
    }

    // nginx spread the requests over all three nodes, on kept-alive connections.
    for index in 0..<3 {
      let scrape = try await PrometheusText.scrape(port: nodes.process(index).port)
      #expect(scrape.sum("storefront_http_requests_total") >= 2, "node \(index) got no requests")
    }
    // Every node shows all five orders (within the tail lag).
    let token = tokenBox.withLock { $0 }
    for index in 0..<3 {
      _ = try await nodes.eventually(index, "/orders/", token: token) { response in
        guard case .array(let list) = response.json else { return false }
        return list.count == 5
      }
    }
    #expect(try proxy.stop(with: SIGQUIT) == 0)
  }
}
