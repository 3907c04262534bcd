import Foundation
import HTTPTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Memory a crowd of slow uploads can make the server hold: bounded by
/// `limits.max_inflight_body_bytes`, not by the number of connections.
@Suite("API: resource bounds", .serialized)
struct APIResourceBoundsTests {
  /// 2,000 connections each announce a 1 MiB body and send a quarter of it, slowly. 64 of
  /// them fit the 64 MiB budget; the others are refused with 503 at their headers (and what they still
  /// send is read and dropped); the deadline then ends the 64. The server's resident memory
  /// stays under 128 MiB all along; without the budget each connection's buffered quarter
  /// alone would be 500 MiB.
  @Test func twoThousandSlowUploadsStayWithinTheBudget() async throws {
    ProcessResources.raiseFileLimit(to: 8192)
    let work = try APIDataDirectory()
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: work.path + "/data", workDirectory: work.path,
        environment: ["STOREFRONT_LIMITS_REQUEST_TIMEOUT_SECONDS": "4"])
    }
    let port = server.port
    let pid = server.child.process.processIdentifier
    let peak = Atomic<Int>(0)
    let sampling = Atomic<Bool>(true)
    let sampler = Thread {
      while sampling.load(ordering: .relaxed) {
        let rss = ProcessResources.residentKiB(pid: pid)
        if rss > peak.load(ordering: .relaxed) { peak.store(rss, ordering: .relaxed) }
        usleep(50_000)
      }
    }
    sampler.start()
    let count = 2000
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
    let statuses = try await ClientThreads.one { () -> [Int] in
      let connections = try (0..<count).map { _ -> TestConnection in
        let connection = try TestConnection(port: port, timeout: 30)
        try connection.send(
          Array(
            ("POST /api/users/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 1048576\r\n\r\n").utf8))
        return connection
      }
      for _ in 0..<4 {
        for connection in connections { try? connection.send(chunk) }
        usleep(200_000)
      }
      return connections.map { (try? $0.readResponse())?.status ?? -1 }
    }
    sampling.store(false, ordering: .relaxed)
    let refused = statuses.filter { $0 == 503 }.count
    let timedOut = statuses.filter { $0 == 408 }.count
    #expect(
      refused + timedOut == count,
      "statuses: \(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
    // 64 fit the budget and end at the deadline. On a loaded machine (or under a sanitizer)
    // some others have not finished their headers by then and end with 408 too, instead of
    // the 503 at their headers; without the budget none would be refused at all.
    #expect(timedOut >= 64)
    #expect(refused >= count / 2, "refused \(refused)")
    let peakMiB = peak.load(ordering: .relaxed) / 1024
    // Under scripts/sanitize, AddressSanitizer's shadow memory and quarantine add their own.
    let sanitized = ProcessInfo.processInfo.environment["STOREFRONT_SANITIZE_CFLAGS"] != nil
    let bound = sanitized ? 512 : 128
    #expect(peakMiB > 0 && peakMiB < bound, "peak RSS \(peakMiB) MiB")
    let alive = try await ClientThreads.one { () -> Int in
      let connection = try TestConnection(port: port)
      return try connection.request("GET", "/api/health/").status
    }
    #expect(alive == 200)
    _ = try await ClientThreads.one { try server.terminate() }
    print("slow uploads: peak server RSS \(peakMiB) MiB, \(refused) refused, \(timedOut) timed out")
  }
}
