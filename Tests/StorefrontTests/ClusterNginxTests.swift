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
    if: (PostgresCluster.available && ExternalTool.available(NginxEdge.tools))
      || ExternalTool.inCI,
    "PostgreSQL, nginx, openssl or curl is missing: run scripts/setup"),
  .timeLimit(.minutes(5)))
struct ClusterNginxTests {
  @Test(
    "the API through nginx over three nodes: every node serves, writes and tokens hold across them")
  func apiThroughNginx() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let work = nodes.work.path
    let (edge, nginx) = try await NginxEdge.prepare(work: work)
    // The limits at the edge match Storefront's defaults, as in storefront.conf.
    let configuration = try edge.shippedConfiguration(
      "storefront-cluster.conf",
      replacements: (0..<3).map { index in
        ("server 127.0.0.1:800\(index + 1) ", "server 127.0.0.1:\(nodes.process(index).port) ")
      },
      lines: [
        "client_max_body_size 1m;", "client_header_timeout 30s;", "client_body_timeout 30s;",
        "keepalive_timeout 25s;", "keepalive 32;", "proxy_http_version 1.1;",
        "proxy_set_header Connection \"\";", "proxy_read_timeout 60s;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      ])
    let proxy = try await edge.start(nginx, configuration: configuration)
    defer { _ = try? proxy.stop(with: SIGTERM) }

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
