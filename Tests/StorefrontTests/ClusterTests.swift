import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Several `storefront serve` nodes on one PostgreSQL log (`storage.backend = "postgres"`),
/// against a real PostgreSQL cluster each test starts for itself.
@Suite(
  "Cluster: nodes sharing a PostgreSQL log", .serialized,
  .enabled(if: PostgresCluster.available || ExternalTool.inCI, "\(PostgresCluster.missing)"),
  .timeLimit(.minutes(5)))
struct ClusterTests {
  static func productBody(category: Int, stock: Int = 10) -> String {
    #"{"name": "Mug", "price": "12.50", "category": \#(category), "variants": [{"size": "M", "stock": \#(stock)}]}"#
  }

  @Test("a product created on node 1 is listed by nodes 2 and 3; a user of node 2 logs in on 3 and uses the token on 1")
  func sharedState() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let category = try await nodes.client(0).category("Kitchen", admin: admin)
    let product = try await nodes.client(0).product(
      Self.productBody(category: category), admin: admin)
    let productId = try #require(product["id"]?.intValue)
    for index in [1, 2] {
      let listed = try await nodes.eventually(index, "/products/") { response in
        response.status == 200 && response.text.contains(#""id":\#(productId),"#)
      }
      #expect(listed.json.element(0)?["name"] == .string("Mug"))
    }

    // Registered on node 2 (index 1), logged in on node 3, the token used at once on node 1.
    let userId = try await nodes.client(1).register("alice")
    let login = try await nodes.client(2).post(
      "/users/login/", #"{"username": "alice", "password": "password-123"}"#)
    #expect(login.status == 200, "\(login)")
    let token = try #require(login.json["token"]?.stringValue)
    let me = try await nodes.client(0).get("/orders/", token: token)
    #expect(me.status == 200, "\(me)")
    #expect(me.text == "[]")
    // An order on node 1 with node 3's token; ids stay sequential across nodes.
    let variantId = try #require(product["variants"]?.element(0)?["id"]?.intValue)
    let order = try await nodes.client(0).post(
      "/orders/", #"{"items": [{"product": \#(productId), "variant": \#(variantId), "quantity": 2}]}"#,
      token: token)
    #expect(order.status == 201, "\(order)")
    #expect(order.json["user"] == .int(userId))
    let second = try await nodes.client(2).register("bob")
    #expect(second == userId + 1)
    // An unknown token is still refused.
    let bogus = try await nodes.client(1).get("/orders/", token: String(repeating: "0", count: 40))
    #expect(bogus.status == 401)
  }

  @Test("100 concurrent orders over 3 nodes against stock 10: exactly 10 succeed, every node shows 0")
  func noOversellAcrossNodes() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let category = try await nodes.client(0).category("Kitchen", admin: admin)
    let product = try await nodes.client(0).product(
      Self.productBody(category: category), admin: admin)
    let productId = try #require(product["id"]?.intValue)
    let variantId = try #require(product["variants"]?.element(0)?["id"]?.intValue)
    var users: [APIUser] = []
    for index in 0..<3 { users.append(try await nodes.client(index).user("buyer\(index)")) }
    let ports = (0..<3).map { nodes.process($0).port }
    let body = #"{"items": [{"product": \#(productId), "variant": \#(variantId), "quantity": 1}]}"#
    let collected = Locked<[Int: APIResponse]>([:])
    let tokens = users.map(\.token)
    try await ClientThreads.run(100) { index in
      let node = index % 3
      let (target, headers, bytes) = APIClient.prepare(
        "/orders/", token: tokens[node], authorization: nil, body: .json(body), headers: [])
      let connection = try TestConnection(port: ports[node], timeout: 60)
      defer { connection.close() }
      let response = APIResponse(
        try connection.request("POST", target, headers: headers, body: bytes))
      collected.withLock { $0[index] = response }
    }
    let responses = collected.withLock { $0 }
    #expect(responses.count == 100)
    let placed = responses.values.filter { $0.status == 201 }
    #expect(placed.count == 10, "\(responses.values.map(\.status).sorted())")
    for response in responses.values where response.status != 201 {
      #expect(response.status == 400, "\(response)")
      #expect(response.text.contains("Insufficient stock"), "\(response)")
    }
    // Ids: distinct and consecutive.
    let ids = placed.compactMap { $0.json["id"]?.intValue }.sorted()
    #expect(ids == Array(1...10), "\(ids)")
    for index in 0..<3 {
      _ = try await nodes.eventually(index, "/products/\(productId)/") { response in
        response.json["variants"]?.element(0)?["stock"] == .int(0)
      }
    }
  }
}

extension JSONValue {
  /// Element `index` of an array, or nil.
  func element(_ index: Int) -> JSONValue? {
    guard case .array(let items) = self, items.indices.contains(index) else { return nil }
    return items[index]
  }
}
