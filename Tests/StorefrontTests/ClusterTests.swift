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

  @Test(
    "a product created on node 1 is listed by nodes 2 and 3; a user of node 2 logs in on 3 and uses the token on 1"
  )
  func sharedState() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let ids = try await Self.stockedProduct(nodes, admin: admin, stock: 10)
    for index in [1, 2] {
      let listed = try await nodes.eventually(index, "/products/") { response in
        response.status == 200 && response.text.contains(#""id":\#(ids.product),"#)
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
    let order = try await nodes.client(0).post(
      "/orders/",
      #"{"items": [{"product": \#(ids.product), "variant": \#(ids.variant), "quantity": 2}]}"#,
      token: token)
    #expect(order.status == 201, "\(order)")
    #expect(order.json["user"] == .int(userId))
    let second = try await nodes.client(2).register("bob")
    #expect(second == userId + 1)
    // An unknown token is still refused.
    let bogus = try await nodes.client(1).get("/orders/", token: String(repeating: "0", count: 40))
    #expect(bogus.status == 401)
  }

  @Test(
    "100 concurrent orders over 3 nodes against stock 10: exactly 10 succeed, every node shows 0")
  func noOversellAcrossNodes() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let stocked = try await Self.stockedProduct(nodes, admin: admin, stock: 10)
    var users: [APIUser] = []
    for index in 0..<3 { users.append(try await nodes.client(index).user("buyer\(index)")) }
    let ports = (0..<3).map { nodes.process($0).port }
    let body = Self.orderBody(stocked)
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
    // Ids: distinct (as with a database sequence, an id handed to a refused attempt may be
    // skipped), and every node lists the same ten orders.
    let ids = placed.compactMap { $0.json["id"]?.intValue }
    #expect(Set(ids).count == 10, "\(ids.sorted())")
    for index in 0..<3 {
      _ = try await nodes.eventually(index, "/products/\(stocked.product)/") { response in
        response.json["variants"]?.element(0)?["stock"] == .int(0)
      }
      _ = try await nodes.eventually(index, "/orders/", token: admin.token) { response in
        guard case .array(let orders) = response.json else { return false }
        return Set(orders.compactMap { $0["id"]?.intValue }) == Set(ids)
      }
    }
  }

  /// A product with one variant of `stock` on node 0, and its ids.
  static func stockedProduct(
    _ nodes: ClusterNodes, admin: APIUser, stock: Int
  ) async throws -> (product: Int, variant: Int) {
    let category = try await nodes.client(0).category("Kitchen", admin: admin)
    let product = try await nodes.client(0).product(
      productBody(category: category, stock: stock), admin: admin)
    return (
      try #require(product["id"]?.intValue),
      try #require(product["variants"]?.element(0)?["id"]?.intValue)
    )
  }

  /// One node with a product of `stock` and three orders of `buyer` on it.
  static func oneNodeWithThreeOrders(stock: Int) async throws -> (
    nodes: ClusterNodes, admin: APIUser, ids: (product: Int, variant: Int), buyer: APIUser
  ) {
    let nodes = try await ClusterNodes.start(count: 1)
    do {
      let admin = try await nodes.admin()
      let ids = try await stockedProduct(nodes, admin: admin, stock: stock)
      let buyer = try await nodes.client(0).user("buyer")
      for _ in 0..<3 {
        #expect(
          try await nodes.client(0).post("/orders/", orderBody(ids), token: buyer.token).status
            == 201)
      }
      return (nodes, admin, ids, buyer)
    } catch {
      nodes.shutDown()
      throw error
    }
  }

  static func orderBody(_ ids: (product: Int, variant: Int)) -> String {
    #"{"items": [{"product": \#(ids.product), "variant": \#(ids.variant), "quantity": 1}]}"#
  }

  /// The ids of every order node `index` lists to `admin`.
  static func orderIds(_ nodes: ClusterNodes, _ index: Int, admin: APIUser) async throws -> Set<Int>
  {
    let response = try await nodes.client(index).get("/orders/", token: admin.token)
    try #require(response.status == 200, "\(response)")
    guard case .array(let orders) = response.json else { return [] }
    return Set(orders.compactMap { $0["id"]?.intValue })
  }

  /// Sends `POST /orders/` to `port` with `token`; nil when the connection failed (a killed
  /// node).
  static func placeOrder(port: Int, token: String, body: String) -> APIResponse? {
    let (target, headers, bytes) = APIClient.prepare(
      "/orders/", token: token, authorization: nil, body: .json(body), headers: [])
    do {
      let connection = try TestConnection(port: port, timeout: 30)
      defer { connection.close() }
      return APIResponse(try connection.request("POST", target, headers: headers, body: bytes))
    } catch {
      return nil
    }
  }

  @Test(
    "kill -9 of a node during an order burst: every acknowledged order is there after it restarts")
  func killedNodeLosesNothing() async throws {
    let nodes = try await ClusterNodes.start(count: 2)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let ids = try await Self.stockedProduct(nodes, admin: admin, stock: 100_000)
    let buyer = try await nodes.client(0).user("buyer")
    let port = nodes.process(0).port
    let body = Self.orderBody(ids)
    let acknowledged = Locked<Set<Int>>([])
    let victim = nodes.process(0)
    try await ClientThreads.run(41) { index in
      if index == 40 {
        // The killer: once some orders are acknowledged, while others are in flight.
        let deadline = Date().addingTimeInterval(30)
        while acknowledged.withLock({ $0.count }) < 10 && Date() < deadline { usleep(1_000) }
        try victim.killHard()
        return
      }
      for _ in 0..<50 {
        guard let response = Self.placeOrder(port: port, token: buyer.token, body: body) else {
          return
        }
        if response.status == 201, let id = response.json["id"]?.intValue {
          acknowledged.withLock { _ = $0.insert(id) }
        }
      }
    }
    let acked = acknowledged.withLock { $0 }
    #expect(acked.count >= 10)
    try await nodes.killAndRestart(0)
    let afterRestart = try await Self.orderIds(nodes, 0, admin: admin)
    #expect(acked.isSubset(of: afterRestart), "lost: \(acked.subtracting(afterRestart).sorted())")
    let onOther = try await nodes.eventually(1, "/orders/", token: admin.token) { response in
      guard case .array(let orders) = response.json else { return false }
      return acked.isSubset(of: Set(orders.compactMap { $0["id"]?.intValue }))
    }
    #expect(onOther.status == 200)
    // The restarted node takes writes again, on top of everything.
    let next = try await nodes.client(0).post("/orders/", body, token: buyer.token)
    #expect(next.status == 201, "\(next)")
    #expect((next.json["id"]?.intValue ?? 0) > (afterRestart.max() ?? 0))
  }

  @Test(
    "PostgreSQL stopped and started under load: writes 503 meanwhile, reads served, nothing acknowledged lost, service returns by itself"
  )
  func postgresOutage() async throws {
    let nodes = try await ClusterNodes.start(count: 2)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let ids = try await Self.stockedProduct(nodes, admin: admin, stock: 100_000)
    let buyer = try await nodes.client(0).user("buyer")
    let ports = [nodes.process(0).port, nodes.process(1).port]
    let body = Self.orderBody(ids)
    let acknowledged = Locked<Set<Int>>([])
    let refused = Locked(0)
    let running = Locked(true)
    let cluster = nodes.cluster
    let outage = Locked<(writes: APIResponse?, reads: APIResponse?, ready: APIResponse?)>(
      (nil, nil, nil))
    try await ClientThreads.run(9) { index in
      if index == 8 {
        // The operator: stop PostgreSQL under load, look at the nodes, start it again.
        let deadline = Date().addingTimeInterval(30)
        while acknowledged.withLock({ $0.count }) < 10 && Date() < deadline { usleep(1_000) }
        try cluster.stop()
        let write = Self.placeOrder(port: ports[1], token: buyer.token, body: body)
        let reads = try TestConnection(port: ports[1]).request("GET", "/api/products/")
        var ready: TestResponse?
        let readyDeadline = Date().addingTimeInterval(30)
        repeat {
          ready = try TestConnection(port: ports[0]).request("GET", "/api/ready/")
          if ready?.status == 503 { break }
          usleep(20_000)
        } while Date() < readyDeadline
        outage.withLock { $0 = (write, APIResponse(reads), ready.map(APIResponse.init)) }
        try cluster.start()
        // Back: both nodes take writes again without a restart.
        for port in ports {
          let backDeadline = Date().addingTimeInterval(30)
          while Date() < backDeadline {
            if let response = Self.placeOrder(port: port, token: buyer.token, body: body),
              response.status == 201, let id = response.json["id"]?.intValue
            {
              acknowledged.withLock { _ = $0.insert(id) }
              break
            }
            usleep(50_000)
          }
        }
        running.withLock { $0 = false }
        return
      }
      while running.withLock({ $0 }) {
        guard let response = Self.placeOrder(port: ports[index % 2], token: buyer.token, body: body)
        else { continue }
        if response.status == 201, let id = response.json["id"]?.intValue {
          acknowledged.withLock { _ = $0.insert(id) }
        } else if response.status == 503 {
          refused.withLock { $0 += 1 }
          usleep(5_000)
        } else {
          Issue.record("unexpected answer under load: \(response)")
        }
      }
    }
    let seen = outage.withLock { $0 }
    #expect(seen.writes?.status == 503, "\(seen.writes.map(\.description) ?? "no answer")")
    #expect(seen.reads?.status == 200)
    #expect(seen.ready?.status == 503)
    #expect(
      seen.ready?.text.contains("PostgreSQL") == true, "\(seen.ready.map(\.description) ?? "-")")
    #expect(refused.withLock { $0 } >= 1)
    let acked = acknowledged.withLock { $0 }
    for index in 0..<2 {
      _ = try await nodes.eventually(index, "/ready/") { $0.status == 200 }
      let listed = try await nodes.eventually(index, "/orders/", token: admin.token) { response in
        guard case .array(let orders) = response.json else { return false }
        return acked.isSubset(of: Set(orders.compactMap { $0["id"]?.intValue }))
      }
      #expect(listed.status == 200)
    }
  }

  @Test("one Idempotency-Key sent to three nodes at once: one order, every answer is it")
  func idempotencyAcrossNodes() async throws {
    let nodes = try await ClusterNodes.start(count: 3)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()
    let ids = try await Self.stockedProduct(nodes, admin: admin, stock: 100)
    let buyer = try await nodes.client(0).user("buyer")
    let ports = (0..<3).map { nodes.process($0).port }
    let body = Self.orderBody(ids)
    let answers = Locked<[APIResponse]>([])
    try await ClientThreads.run(9) { index in
      let (target, headers, bytes) = APIClient.prepare(
        "/orders/", token: buyer.token, authorization: nil, body: .json(body),
        headers: [("Idempotency-Key", "same-order")])
      let connection = try TestConnection(port: ports[index % 3], timeout: 30)
      defer { connection.close() }
      let response = APIResponse(
        try connection.request("POST", target, headers: headers, body: bytes))
      answers.withLock { $0.append(response) }
    }
    let all = answers.withLock { $0 }
    let placed = all.filter { $0.status == 201 }
    // 409 only while the key's first request runs on the same node.
    for answer in all where answer.status != 201 { #expect(answer.status == 409, "\(answer)") }
    #expect(Set(placed.compactMap { $0.json["id"]?.intValue }).count == 1, "\(placed)")
    for index in 0..<3 {
      let listed = try await nodes.eventually(index, "/orders/", token: buyer.token) { response in
        guard case .array(let orders) = response.json else { return false }
        return orders.count == 1
      }
      #expect(listed.status == 200)
    }
  }

  @Test(
    "export, import into a fresh PostgreSQL, and the same state is served; log verify passes on both"
  )
  func exportImport() async throws {
    let (nodes, admin, _, _) = try await Self.oneNodeWithThreeOrders(stock: 50)
    defer { nodes.shutDown() }
    let file = nodes.work.path + "/exported.jsonl"
    let exported = try await runStorefront(
      ["log", "export", "--to", file, "--data-dir", nodes.work.path + "/tools"],
      environment: nodes.environment)
    #expect(exported.status == 0, "\(exported.standardError)")
    let verified = try await runStorefront(
      ["log", "verify", "--data-dir", nodes.work.path + "/tools"], environment: nodes.environment)
    #expect(verified.status == 0, "\(verified.standardOutput) \(verified.standardError)")
    #expect(verified.standardOutput.contains("no problems found"), "\(verified.standardOutput)")

    // A second PostgreSQL cluster, empty, takes the file; a node on it serves the same state.
    let fresh = try await ClientThreads.one { try PostgresCluster() }
    defer { fresh.destroy() }
    let freshURL = try await ClientThreads.one { try fresh.createDatabase("copy") }
    let freshEnvironment = [
      "STOREFRONT_STORAGE_BACKEND": "postgres", "STOREFRONT_STORAGE_POSTGRES_URL": freshURL,
    ]
    let imported = try await runStorefront(
      ["log", "import", "--from", file, "--data-dir", nodes.work.path + "/tools2"],
      environment: freshEnvironment)
    #expect(imported.status == 0, "\(imported.standardError)")
    // Only into an empty log.
    let again = try await runStorefront(
      ["log", "import", "--from", file, "--data-dir", nodes.work.path + "/tools2"],
      environment: freshEnvironment)
    #expect(again.status == 1)
    #expect(again.standardError.contains("not empty"), "\(again.standardError)")
    let freshVerify = try await runStorefront(
      ["log", "verify", "--data-dir", nodes.work.path + "/tools2"], environment: freshEnvironment)
    #expect(freshVerify.status == 0, "\(freshVerify.standardOutput)")

    let work = nodes.work.path
    let copy = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: work + "/copy-node", workDirectory: work, environment: freshEnvironment)
    }
    defer { try? copy.killHard() }
    let copyClient = APIClient(port: copy.port)
    for path in ["/products/", "/products/categories/"] {
      let original = try await nodes.client(0).get(path)
      let copied = try await copyClient.get(path)
      #expect(copied.status == 200)
      #expect(copied.text == original.text)
    }
    let originalOrders = try await nodes.client(0).get("/orders/", token: admin.token)
    let copiedOrders = try await copyClient.get("/orders/", token: admin.token)
    #expect(copiedOrders.status == 200, "the admin's token works on the copy")
    #expect(copiedOrders.text == originalOrders.text)
    // The file backend reads the same file.
    let fileCheck = try await runStorefront(
      ["log", "import", "--from", file, "--data-dir", work + "/file-copy"])
    #expect(fileCheck.status == 0, "\(fileCheck.standardError)")
  }

  @Test(
    "each node's /metrics counts its PostgreSQL log: commits, other nodes' batches, compactions, replay"
  )
  func metricsCountTheSharedLog() async throws {
    let nodes = try await ClusterNodes.start(count: 2)
    defer { nodes.shutDown() }
    let admin = try await nodes.admin()  // its token written by node 0
    _ = try await nodes.client(0).category("Kitchen", admin: admin)
    _ = try await nodes.client(1).register("alice")

    let first = try await Self.scrape(nodes, 0) { $0.value(Self.foreign) >= 1 }
    #expect(first.value(Self.foreign) >= 1, "node 0 applied node 1's registration")
    #expect(first.value("storefront_eventlog_appended_events_total") >= 2)  // token, category
    #expect(first.value("storefront_eventlog_batch_events_count") >= 1)
    #expect(first.value("storefront_eventlog_fsync_duration_seconds_count") >= 1)
    #expect(first.value("storefront_eventlog_written_bytes_total") > 0)
    #expect(first.value("storefront_eventlog_writes_stopped") == 0)
    #expect(first.series("storefront_eventlog_conflicts_total").count == 1)
    let second = try await Self.scrape(nodes, 1) { $0.value(Self.foreign) >= 1 }
    #expect(second.value(Self.foreign) >= 1, "node 1 applied node 0's events")
    #expect(second.value("storefront_eventlog_appended_events_total") >= 1)

    let compacted = try await runStorefront(
      ["log", "compact", "--data-dir", nodes.work.path + "/node0"], environment: nodes.environment)
    #expect(compacted.status == 0, "\(compacted.standardError)")
    let after = try await PrometheusText.scrape(port: nodes.process(0).port)
    #expect(after.value("storefront_eventlog_compactions_total", ["outcome": "completed"]) == 1)

    let late = try await nodes.addNode()
    let replayed = try await PrometheusText.scrape(port: nodes.process(late).port)
    #expect(replayed.value("storefront_eventlog_replayed_records") >= 4)
    #expect(replayed.series("storefront_eventlog_replay_duration_seconds").count == 1)
  }

  static let foreign = "storefront_eventlog_foreign_batches_total"

  /// Node `index`'s metrics once `ready` holds (other nodes' events arrive within seconds).
  static func scrape(
    _ nodes: ClusterNodes, _ index: Int, until ready: (PrometheusText) -> Bool
  ) async throws -> PrometheusText {
    let deadline = Date().addingTimeInterval(30)
    while true {
      let metrics = try await PrometheusText.scrape(port: nodes.process(index).port)
      if ready(metrics) || Date() > deadline { return metrics }
      try await Task.sleep(for: .milliseconds(100))
    }
  }

  @Test("a node started late replays from the snapshot (older events gone from the table)")
  func lateNodeFromSnapshot() async throws {
    let (nodes, _, ids, buyer) = try await Self.oneNodeWithThreeOrders(stock: 20)
    defer { nodes.shutDown() }
    // Compaction in the running node writes a snapshot row.
    let compacted = try await runStorefront(
      ["log", "compact", "--data-dir", nodes.work.path + "/node0"], environment: nodes.environment)
    #expect(compacted.status == 0, "\(compacted.standardError)")
    let cluster = nodes.cluster
    let snapshot = try await ClientThreads.one {
      try cluster.psql("shop", "SELECT max(seq) FROM storefront_snapshots")
    }
    let snapshotSequence = try #require(
      Int(snapshot.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)),
      "\(snapshot.standardOutput) \(snapshot.standardError)")
    #expect(snapshotSequence > 5)
    // Newer events after the snapshot.
    #expect(
      try await nodes.client(0).post("/orders/", Self.orderBody(ids), token: buyer.token).status
        == 201)
    // History before the snapshot is removed: a node can only start from the snapshot.
    let deleted = try await ClientThreads.one {
      try cluster.psql("shop", "DELETE FROM storefront_events WHERE seq <= \(snapshotSequence)")
    }
    #expect(deleted.status == 0, "\(deleted.standardError)")

    let late = try await nodes.addNode()
    let stock = try await nodes.client(late).get("/products/\(ids.product)/")
    #expect(stock.json["variants"]?.element(0)?["stock"] == .int(16), "\(stock)")
    let orders = try await nodes.client(late).get("/orders/", token: buyer.token)
    #expect(orders.status == 200, "tokens come from the snapshot: \(orders)")
    guard case .array(let list) = orders.json else {
      Issue.record("no order list: \(orders)")
      return
    }
    #expect(list.count == 4)
    let login = try await nodes.client(late).login("buyer")
    #expect(!login.isEmpty)
    let placed = try await nodes.client(late).post(
      "/orders/", Self.orderBody(ids), token: buyer.token)
    #expect(placed.status == 201, "\(placed)")
    #expect(placed.json["id"] == .int(5))
  }
}

extension JSONValue {
  /// Element `index` of an array, or nil.
  func element(_ index: Int) -> JSONValue? {
    guard case .array(let items) = self, items.indices.contains(index) else { return nil }
    return items[index]
  }
}
