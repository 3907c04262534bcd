import Foundation
import HTTPTestSupport
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A PostgreSQL cluster of the test's own: `initdb` in a temporary directory, the server on a
/// Unix socket there (and a free port number for the socket's name), run as the `postgres`
/// system user when the tests run as root (PostgreSQL refuses to run as root). Blocking: use
/// inside ``ClientThreads``.
///
/// ```swift
/// let cluster = try PostgresCluster()
/// defer { cluster.destroy() }
/// let url = try cluster.createDatabase("shop")
/// ```
final class PostgresCluster: Sendable {
  /// Where Debian's `postgresql` package puts the server binaries, newest first.
  static var binDirectory: String? {
    let root = "/usr/lib/postgresql"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return versions.compactMap(Int.init).sorted(by: >).map { "\(root)/\($0)/bin" }.first {
      FileManager.default.isExecutableFile(atPath: $0 + "/initdb")
    }
  }

  /// Whether the server binaries are installed.
  static var available: Bool { binDirectory != nil }

  /// Why a test cannot run without them.
  static let missing =
    "PostgreSQL is not installed: run scripts/setup (apt-get install postgresql libpq-dev)"

  let bin: String
  let root: String
  let port: Int
  private let server = LockedChild()

  var dataDirectory: String { root + "/pgdata" }
  var socketDirectory: String { root }

  /// Creates the cluster and starts the server.
  init() throws {
    guard let bin = Self.binDirectory else { throw TestError(Self.missing) }
    self.bin = bin
    var template = Array("/tmp/storefront-pg-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw TestError("mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    root = String(cString: made)
    port = try FreePort.pick()
    // The server's user must reach and own its directories.
    chmod(root, 0o755)
    if geteuid() == 0 {
      guard let user = getpwnam("postgres") else {
        throw TestError("there is no postgres system user: " + Self.missing)
      }
      chown(root, user.pointee.pw_uid, user.pointee.pw_gid)
    }
    let initdb = try run(
      bin + "/initdb",
      ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
    guard initdb.status == 0 else { throw TestError("initdb failed: \(initdb.standardError)") }
    try start()
  }

  deinit { destroy() }

  /// A libpq URL of database `name` over the socket.
  func url(_ name: String) -> String {
    "postgresql:///\(name)?host=\(socketDirectory)&port=\(port)&user=postgres"
  }

  /// Creates database `name` and returns its URL.
  @discardableResult
  func createDatabase(_ name: String) throws -> String {
    let result = try psql("postgres", "CREATE DATABASE \(name)")
    guard result.status == 0 else { throw TestError("CREATE DATABASE: \(result.standardError)") }
    return url(name)
  }

  /// Runs `sql` in database `name` with `psql` and returns its result (unaligned, tuples only).
  func psql(_ database: String, _ sql: String) throws -> StorefrontResult {
    try run(
      bin + "/psql",
      ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database), "-c", sql],
      asServerUser: false)
  }

  /// Starts the server and waits until it accepts connections.
  func start() throws {
    let child = try StorefrontChild(
      serverCommand(
        bin + "/postgres",
        [
          "-D", dataDirectory, "-k", socketDirectory, "-p", String(port), "-c",
          "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=100", "-c",
          "shared_buffers=16MB",
        ]), workDirectory: root, testDefaults: false,
      executable: URL(fileURLWithPath: serverExecutable))
    server.set(child)
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      if child.hasExited { throw TestError("postgres exited: \(child.standardError)") }
      if let ready = try? run(
        bin + "/pg_isready", ["-h", socketDirectory, "-p", String(port), "-q"],
        asServerUser: false), ready.status == 0
      {
        return
      }
      usleep(50_000)
    }
    throw TestError("postgres did not start: \(child.standardError)")
  }

  /// Stops the server (fast shutdown: sessions are disconnected, committed work is kept).
  func stop() throws {
    guard let child = server.take() else { return }
    _ = try child.stop(with: SIGINT)
  }

  /// Stops the server and removes the directory.
  func destroy() {
    if let child = server.take() { _ = try? child.stop(with: SIGINT) }
    try? FileManager.default.removeItem(atPath: root)
  }

  // MARK: Running as the postgres user

  private var serverExecutable: String {
    geteuid() == 0 ? "/usr/bin/setpriv" : bin + "/postgres"
  }

  /// The arguments that run `tool arguments...` as the server's user (setpriv execs, so
  /// signals reach the server itself).
  private func serverCommand(_ tool: String, _ arguments: [String]) -> [String] {
    guard geteuid() == 0 else { return arguments }
    return ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", tool] + arguments
  }

  private func run(
    _ tool: String, _ arguments: [String], asServerUser: Bool = true
  ) throws -> StorefrontResult {
    if asServerUser && geteuid() == 0 {
      return try ExternalTool.run(
        "/usr/bin/setpriv", serverCommand(tool, arguments), in: root, seconds: 120)
    }
    return try ExternalTool.run(tool, arguments, in: root, seconds: 120)
  }
}

/// The running server process, if any.
private final class LockedChild: Sendable {
  private let child = Locked<StorefrontChild?>(nil)

  func set(_ value: StorefrontChild) { child.withLock { $0 = value } }
  func take() -> StorefrontChild? {
    child.withLock { value in
      defer { value = nil }; return value
    }
  }
}
