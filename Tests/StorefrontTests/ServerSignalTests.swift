import Foundation
import HTTPTestSupport
import JSON
import Testing

/// `storefront serve` as a real process: SIGTERM while requests are in flight.
@Suite(.serialized) struct ServerSignalTests {
  @Test func sigtermDuringLoadFinishesInFlightRequestsThenExitsZero() async throws {
    let directory = try TemporaryDirectory()
    let port = try FreePort.pick()
    let process = Process()
    process.executableURL = try StorefrontProcess.executable()
    process.arguments = ["serve", "--port", "\(port)", "--data-dir", directory.path + "/data"]
    process.currentDirectoryURL = directory.url
    process.environment = ProcessInfo.processInfo.environment.filter {
      !$0.key.hasPrefix("STOREFRONT_")
    }.merging([
      // Each login costs a few tens of milliseconds, so that logins are in flight at SIGTERM.
      "STOREFRONT_AUTH_PBKDF2_ITERATIONS": "100000", "STOREFRONT_LOG_LEVEL": "warning",
      "STOREFRONT_AUTH_HASH_THREADS": "1",
    ]) { _, new in new }
    process.standardInput = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }

    let pid = process.processIdentifier
    let tokens = try await ClientThreads.one { () -> [String] in
      let admin = try Self.waitUntilHealthy(port: port)
      let register = try admin.request(
        "POST", "/api/users/register/", headers: [("Content-Type", "application/json")],
        body: Array(
          #"{"username":"shopper","email":"s@example.com","password":"password123"}"#.utf8))
      #expect(register.status == 201)
      let connections = try (0..<8).map { _ in try TestConnection(port: port) }
      for connection in connections {
        try connection.sendRequest(
          "POST", "/api/users/login/", headers: [("Content-Type", "application/json")],
          body: Array(#"{"username":"shopper","password":"password123"}"#.utf8))
      }
      usleep(20_000)
      kill(pid, SIGTERM)
      return try connections.map { connection in
        let response = try connection.readResponse()
        #expect(response.status == 200, "\(response.text)")
        return try JSONParser.parse(response.body)["token"]?.stringValue ?? ""
      }
    }
    #expect(tokens.count == 8)
    #expect(tokens.allSatisfy { $0.count == 40 })
    let exited = try await ClientThreads.one { () -> Bool in
      for _ in 0..<200 where process.isRunning { usleep(50_000) }
      return !process.isRunning
    }
    #expect(exited)
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 0)
    #expect(throws: (any Error).self) { try TestConnection(port: port) }
  }

  /// Polls `GET /api/health/` until it answers 200 (at most ~10 s).
  static func waitUntilHealthy(port: Int) throws -> TestConnection {
    for _ in 0..<200 {
      if let connection = try? TestConnection(port: port),
        let response = try? connection.request("GET", "/api/health/"), response.status == 200
      {
        #expect(response.text == #"{"status":"ok"}"#)
        return connection
      }
      usleep(50_000)
    }
    throw TestError("the server on port \(port) never became healthy")
  }
}
