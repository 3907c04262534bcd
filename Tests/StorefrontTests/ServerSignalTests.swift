import Foundation
import HTTPTestSupport
import JSON
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `storefront serve` as a real process: SIGTERM while requests are in flight.
@Suite(.serialized) struct ServerSignalTests {
  @Test func sigtermDuringLoadFinishesInFlightRequestsThenExitsZero() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.path
    let (status, tokens) = try await ClientThreads.one { () -> (Int32, [String]) in
      // Each login costs a few tens of milliseconds on one hashing thread, so that logins are
      // still in flight when SIGTERM arrives.
      let server = try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: [
          "STOREFRONT_AUTH_PBKDF2_ITERATIONS": "100000", "STOREFRONT_AUTH_HASH_THREADS": "1",
        ])
      let port = server.port
      let register = try TestConnection(port: port).request(
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
      kill(server.child.process.processIdentifier, SIGTERM)
      let tokens = try connections.map { connection in
        let response = try connection.readResponse()
        #expect(response.status == 200, "\(response.text)")
        return try JSONParser.parse(response.body)["token"]?.stringValue ?? ""
      }
      let status = try server.child.waitForExit(seconds: 20)
      #expect(throws: (any Error).self) { try TestConnection(port: port) }
      return (status, tokens)
    }
    #expect(tokens.count == 8)
    #expect(tokens.allSatisfy { $0.count == 40 })
    #expect(status == 0)
  }
}
