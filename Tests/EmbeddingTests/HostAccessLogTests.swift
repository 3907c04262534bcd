import Foundation
import HTTPTestSupport
import Testing

/// The example C host with the shipped logging defaults: `storefront_close` writes out every
/// access line before the host's own last words.
@Suite(.serialized)
struct HostAccessLogTests {
  @Test func closeWritesEveryAccessLineFirst() throws {
    let scratch = try TemporaryDirectory()
    let host = try HostProcess(
      dataDir: scratch.path + "/data", environment: ["STOREFRONT_LOG_LEVEL": "info"])
    let connection = try TestConnection(port: host.port)
    let requests = 300
    for number in 0..<requests {
      let response = try connection.request("GET", "/api/products/?n=\(number)")
      #expect(response.status == 200)
    }
    connection.close()
    #expect(host.terminate() == 0, "host stderr:\n\(host.stderr)")
    let lines = host.stderr.split(separator: "\n")
    let access = lines.enumerated().filter {
      $0.element.contains(" loop=0 id=") && $0.element.contains("] GET /api/products/ 200 ")
    }
    #expect(access.count == requests)
    let stopped = lines.firstIndex { $0 == "host: stopped" }
    #expect(stopped != nil)
    #expect(access.allSatisfy { $0.offset < (stopped ?? 0) })
    #expect(!host.stderr.contains("?n="))
  }
}
