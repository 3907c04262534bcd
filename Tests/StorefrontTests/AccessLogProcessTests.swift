import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The access log of `storefront serve` as a real process with the shipped logging defaults
/// (`log.level` and `log.access_level` info), its standard error a file or a pipe.
@Suite(.serialized) struct AccessLogProcessTests {
  /// The shipped defaults (the test children otherwise get `STOREFRONT_LOG_LEVEL=warning`).
  static let shippedLogging = ["STOREFRONT_LOG_LEVEL": "info"]

  static var accessLine: Regex<AnyRegexOutput> {
    try! Regex(
      #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info storefront: \[Storefront\] (GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS) (\S+) (\d{3}) (\d+)B (\d+)us loop=(\d+) id=([0-9a-f]{24}|[A-Za-z0-9._:@/+=-]{1,128})"#
    )
  }
  /// Any other line swift-log's StreamLogHandler format gives (metadata before the source).
  static var otherLine: Regex<AnyRegexOutput> {
    try! Regex(
      #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (trace|debug|info|notice|warning|error|critical) storefront:( [a-z_]+=\S+)* \[Storefront\] \S.*"#
    )
  }
  static var dropReport: Regex<AnyRegexOutput> {
    try! Regex(
      #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} warning storefront: \[Storefront\] access log: dropped (\d+) lines \(buffer full\)"#
    )
  }

  /// The access lines of `output` as (method, path, status); fails on a line that is neither
  /// an access line nor another whole log line, and on output not ending in a newline.
  static func parse(_ output: String) -> [(method: String, path: String, status: Int)] {
    #expect(output.isEmpty || output.hasSuffix("\n"), "the output ends mid-line")
    let access = accessLine
    let other = otherLine
    var lines: [(String, String, Int)] = []
    for line in output.split(separator: "\n") {
      if let match = line.wholeMatch(of: access) {
        lines.append(
          (
            String(match.output[1].substring!), String(match.output[2].substring!),
            Int(match.output[3].substring!)!
          ))
      } else {
        #expect(line.wholeMatch(of: other) != nil, "not a whole log line: \(line.prefix(300))")
      }
    }
    return lines
  }

  /// Requests `path(client, number)` `perClient` times on each of `clients` keep-alive
  /// connections; every one must be answered with `status(client, number)`.
  static func burst(
    port: Int, clients: Int, perClient: Int, path: @escaping @Sendable (Int, Int) -> String,
    status: @escaping @Sendable (Int, Int) -> Int
  ) async throws {
    try await ClientThreads.run(clients) { client in
      let connection = try TestConnection(port: port, timeout: 30)
      for number in 0..<perClient {
        let response = try connection.request("GET", path(client, number))
        #expect(response.status == status(client, number))
      }
    }
  }

  @Test func everyRequestGetsExactlyOneWholeLineThroughACleanShutdown() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path, environment: Self.shippedLogging)
    }
    let clients = 8
    let perClient = 1250
    try await Self.burst(
      port: server.port, clients: clients, perClient: perClient,
      path: { client, number in
        number % 2 == 0
          ? "/api/products/categories/?page=\(number)" : "/api/no/\(client)-\(number)/"
      },
      status: { _, number in number % 2 == 0 ? 200 : 404 })
    let status = try await ClientThreads.one { try server.terminate() }
    #expect(status == 0)
    let output = server.standardError
    let lines = Self.parse(output)
    let categories = lines.filter { $0.path == "/api/products/categories/" }
    #expect(categories.count == clients * perClient / 2)
    #expect(categories.allSatisfy { $0.method == "GET" && $0.status == 200 })
    let missing = lines.filter { $0.path.hasPrefix("/api/no/") }
    #expect(missing.count == clients * perClient / 2)
    #expect(Set(missing.map(\.path)).count == missing.count, "a request logged twice")
    #expect(missing.allSatisfy { $0.status == 404 })
    #expect(!output.contains("dropped"))
    // The access lines were written out before the last words of the shutdown.
    #expect(output.split(separator: "\n").last?.hasSuffix("[Storefront] stopped") == true)
  }

  @Test func aStderrNobodyReadsDoesNotStallRequestsAndDropsAreCounted() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try PipedServeProcess(
        dataDir: path + "/data", workDirectory: path, environment: Self.shippedLogging)
    }
    // ~100 bytes a line: far more than the pipe (64 KiB) and both loops' rings (2 x 256 KiB).
    let requests = 10_000
    try await Self.burst(
      port: server.port, clients: 8, perClient: requests / 8,
      path: { _, _ in "/api/products/categories/" }, status: { _, _ in 200 })
    let output = try await ClientThreads.one { () -> String in
      server.startDraining()
      let status = try server.stop()
      #expect(status == 0)
      return try server.drained()
    }
    let lines = Self.parse(output).filter { $0.path == "/api/products/categories/" }
    let report = Self.dropReport
    let dropped = output.split(separator: "\n").compactMap { line in
      line.wholeMatch(of: report).map { Int($0.output[1].substring!)! }
    }
    #expect(!dropped.isEmpty)
    #expect(dropped.reduce(0, +) > 0)
    #expect(lines.count + dropped.reduce(0, +) == requests)
  }

  @Test func aStderrNobodyEverReadsDoesNotKeepTheServerFromStopping() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try PipedServeProcess(
        dataDir: path + "/data", workDirectory: path, environment: Self.shippedLogging)
    }
    // ~200 KB of lines: the pipe (64 KiB) is full and the writer blocked in write(2).
    try await Self.burst(
      port: server.port, clients: 4, perClient: 500, path: { _, _ in "/api/health/" },
      status: { _, _ in 200 })
    // The shutdown's flushes give up (bounded) instead of waiting for a reader forever.
    let status = try await ClientThreads.one { try server.stop() }
    #expect(status == 0)
  }

  @Test func passwordsTokensAndQueriesNeverReachTheLog() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let password = "Pa55-word-never-logged"
    let wrongPassword = "Wr0ng-guess-never-logged"
    let querySecret = "q-token-never-logged"
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path, environment: ["STOREFRONT_LOG_LEVEL": "trace"]
      )
    }
    let port = server.port
    let token = try await ClientThreads.one { () -> String in
      let connection = try TestConnection(port: port)
      let json = [("Content-Type", "application/json")]
      let registered = try connection.request(
        "POST", "/api/users/register/", headers: json,
        body: Array(#"{"username":"alice","email":"a@example.com","password":"\#(password)"}"#.utf8)
      )
      #expect(registered.status == 201)
      let login = try connection.request(
        "POST", "/api/users/login/", headers: json,
        body: Array(#"{"username":"alice","password":"\#(password)"}"#.utf8))
      #expect(login.status == 200)
      let form = try connection.request(
        "POST", "/api/users/login/",
        headers: [("Content-Type", "application/x-www-form-urlencoded")],
        body: Array("username=alice&password=\(password)".utf8))
      #expect(form.status == 200)
      let wrong = try connection.request(
        "POST", "/api/users/login/", headers: json,
        body: Array(#"{"username":"alice","password":"\#(wrongPassword)"}"#.utf8))
      #expect(wrong.status == 400)
      let token = try JSONParser.parse(login.body)["token"]?.stringValue ?? ""
      #expect(token.count == 40)
      let orders = try connection.request(
        "GET", "/api/orders/", headers: [("Authorization", "Token \(token)")])
      #expect(orders.status == 200)
      let query = try connection.request(
        "GET", "/api/products/?token=\(querySecret)&password=\(password)")
      #expect(query.status == 200)
      return token
    }
    let status = try await ClientThreads.one { try server.terminate() }
    #expect(status == 0)
    let output = server.standardError
    let lines = Self.parse(output)
    #expect(lines.filter { $0.path == "/api/users/login/" }.map(\.status) == [200, 200, 400])
    #expect(lines.contains { $0.path == "/api/orders/" && $0.status == 200 })
    #expect(lines.contains { $0.path == "/api/products/" && $0.status == 200 })
    for secret in [password, wrongPassword, querySecret, token] {
      #expect(!output.contains(secret), "\(secret) appears in the log")
    }
  }

  @Test(arguments: [
    ["STOREFRONT_LOG_LEVEL": "info", "STOREFRONT_LOG_ACCESS_LEVEL": "debug"],
    ["STOREFRONT_LOG_LEVEL": "warning"],
  ])
  func aFilteredAccessLevelWritesNoAccessLines(environment: [String: String]) async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(dataDir: path + "/data", workDirectory: path, environment: environment)
    }
    try await Self.burst(
      port: server.port, clients: 2, perClient: 100, path: { _, _ in "/api/products/" },
      status: { _, _ in 200 })
    let status = try await ClientThreads.one { try server.terminate() }
    #expect(status == 0)
    let output = server.standardError
    #expect(Self.parse(output).isEmpty)
    if environment["STOREFRONT_LOG_ACCESS_LEVEL"] != nil {
      #expect(output.contains("storefront listening on"))
      #expect(output.contains("[Storefront] stopped"))
    }
  }
}

/// `storefront serve` with its standard error a pipe the test reads only when it chooses to.
final class PipedServeProcess: Sendable {
  let port: Int
  private let process: Process
  private let errors: Pipe
  private let shared = Shared()

  /// What the termination handler and the reader thread leave for the test.
  private final class Shared: Sendable {
    let exited = DispatchSemaphore(value: 0)
    let status = Locked<Int32?>(nil)
    let output = Locked<[UInt8]>([])
    let drained = DispatchSemaphore(value: 0)
  }

  /// Starts the server and waits until `GET /api/ready/` answers (its few startup lines fit in
  /// the pipe unread).
  init(dataDir: String, workDirectory: String, environment: [String: String]) throws {
    port = try FreePort.pick()
    let process = Process()
    process.executableURL = try StorefrontProcess.executable()
    process.arguments = [
      "serve", "--port", String(port), "--data-dir", dataDir, "--workers", "2",
    ]
    process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
    var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STOREFRONT_") }
    merged.merge(StorefrontChild.environment) { _, new in new }
    merged.merge(environment) { _, new in new }
    process.environment = merged
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    errors = Pipe()
    process.standardError = errors
    self.process = process
    process.terminationHandler = { [shared] finished in
      shared.status.withLock { $0 = finished.terminationStatus }
      shared.exited.signal()
    }
    try process.run()
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      if let connection = try? TestConnection(port: port, timeout: 5),
        let response = try? connection.request("GET", "/api/ready/"), response.status == 200
      {
        connection.close()
        return
      }
      guard shared.status.withLock({ $0 }) == nil else {
        throw TestError("storefront serve exited")
      }
      usleep(20_000)
    }
    kill(process.processIdentifier, SIGKILL)
    throw TestError("storefront serve did not answer on port \(port)")
  }

  /// Starts reading the pipe to its end on a new thread.
  func startDraining() {
    let reader = errors.fileHandleForReading
    Thread.detachNewThread { [shared] in
      while true {
        let chunk = reader.availableData
        if chunk.isEmpty { break }
        shared.output.withLock { $0 += chunk }
      }
      shared.drained.signal()
    }
  }

  /// SIGTERM, then the exit status (the child is killed after 60 s).
  func stop() throws -> Int32 {
    kill(process.processIdentifier, SIGTERM)
    if shared.exited.wait(timeout: .now() + .seconds(60)) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      throw TestError("storefront serve did not exit after SIGTERM")
    }
    return shared.status.withLock { $0 } ?? -1
  }

  /// Everything read from the pipe, once it reached its end.
  func drained() throws -> String {
    guard shared.drained.wait(timeout: .now() + .seconds(30)) == .success else {
      throw TestError("standard error did not reach its end")
    }
    return String(decoding: shared.output.withLock { $0 }, as: UTF8.self)
  }
}
