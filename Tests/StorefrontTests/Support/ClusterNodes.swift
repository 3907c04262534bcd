import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Storefront nodes (`storefront serve` child processes, each with its own data directory)
/// sharing one PostgreSQL log in a ``PostgresCluster`` of the test's own. Blocking calls run
/// inside ``ClientThreads``.
///
/// ```swift
/// let nodes = try await ClusterNodes.start(count: 3)
/// defer { nodes.shutDown() }
/// let admin = try await nodes.admin()
/// ```
final class ClusterNodes: Sendable {
  let cluster: PostgresCluster
  let url: String
  let work: APIDataDirectory
  private let running = LockedNodes()

  /// The `STOREFRONT_*` variables that put a node on the shared log.
  var environment: [String: String] {
    [
      "STOREFRONT_STORAGE_BACKEND": "postgres", "STOREFRONT_STORAGE_POSTGRES_URL": url,
    ]
  }

  private init(cluster: PostgresCluster, url: String, work: APIDataDirectory) {
    self.cluster = cluster
    self.url = url
    self.work = work
  }

  /// A fresh cluster with database `shop` and `count` nodes on it.
  static func start(count: Int) async throws -> ClusterNodes {
    let nodes = try await ClientThreads.one {
      let cluster = try PostgresCluster()
      let url = try cluster.createDatabase("shop")
      return ClusterNodes(cluster: cluster, url: url, work: try APIDataDirectory())
    }
    for _ in 0..<count { _ = try await nodes.addNode() }
    return nodes
  }

  /// Starts one more node (waits until `/api/ready/`) and returns its index.
  @discardableResult
  func addNode(environment extra: [String: String] = [:]) async throws -> Int {
    let index = running.count
    let process = try await startProcess(index: index, environment: extra)
    running.append(process)
    return index
  }

  private func startProcess(
    index: Int, environment extra: [String: String]
  ) async throws -> APIServeProcess {
    let environment = environment.merging(extra) { _, new in new }
    let work = work.path
    return try await ClientThreads.one {
      try APIServeProcess(
        dataDir: work + "/node\(index)", workDirectory: work, environment: environment)
    }
  }

  /// Node `index`'s process.
  func process(_ index: Int) -> APIServeProcess { running.get(index) }

  /// A client of node `index`.
  func client(_ index: Int) -> APIClient { APIClient(port: running.get(index).port) }

  var count: Int { running.count }

  /// Kills node `index` with SIGKILL and starts it again on the same data directory (a new
  /// port).
  func killAndRestart(_ index: Int) async throws {
    let old = running.get(index)
    try await ClientThreads.one { try old.killHard() }
    running.replace(index, try await startProcess(index: index, environment: [:]))
  }

  /// `storefront createsuperuser` on the shared log, then a login on node 0.
  func admin(_ username: String = "boss") async throws -> APIUser {
    let result = try await runStorefront(
      [
        "createsuperuser", "--username", username, "--email", "\(username)@example.com",
        "--password", "boss-password", "--data-dir", work.path + "/admin-\(username)",
      ], environment: environment)
    try #require(result.status == 0, "createsuperuser: \(result.standardError)")
    let token = try await client(0).login(username, "boss-password")
    return APIUser(id: 0, username: username, password: "boss-password", token: token)
  }

  /// Waits (up to 30 s) until `condition` holds for node `index`'s answer to `GET path`.
  func eventually(
    _ index: Int, _ path: String, token: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @escaping @Sendable (APIResponse) -> Bool
  ) async throws -> APIResponse {
    let deadline = Date().addingTimeInterval(30)
    var last: APIResponse?
    while Date() < deadline {
      let response = try await client(index).get(path, token: token)
      if condition(response) { return response }
      last = response
      try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record(
      "node \(index) never met the condition on \(path): \(last.map(\.description) ?? "-")",
      sourceLocation: sourceLocation)
    return last!
  }

  /// Stops every node (SIGKILL: nothing they hold matters) and the cluster.
  func shutDown() {
    for process in running.all { try? process.killHard() }
    cluster.destroy()
  }
}

/// The running nodes, by index.
private final class LockedNodes: Sendable {
  private let nodes = Locked<[APIServeProcess]>([])
  var count: Int { nodes.withLock { $0.count } }
  var all: [APIServeProcess] { nodes.withLock { $0 } }
  func append(_ node: APIServeProcess) { nodes.withLock { $0.append(node) } }
  func get(_ index: Int) -> APIServeProcess { nodes.withLock { $0[index] } }
  func replace(_ index: Int, _ node: APIServeProcess) { nodes.withLock { $0[index] = node } }
}
