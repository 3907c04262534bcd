import Foundation
import HTTPTestSupport
import Testing

/// `GET /metrics` of `storefront serve` (a real process), parsed line by line.
@Suite("Operations: Prometheus metrics", .serialized)
struct OperationsMetricsTests {
  static let products = ["route": "/api/products/", "method": "GET", "status": "200"]

  @Test("a scrape parses line by line, names every metric, and its counters move with traffic")
  func scrapeParsesAndCountersMove() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: ["STOREFRONT_THROTTLE_ANON": "3/minute"])
    }
    defer { try? server.killHard() }
    let client = APIClient(port: server.port)
    let before = try await PrometheusText.scrape(port: server.port)
    let expected: [String: String] = [
      "storefront_http_requests_total": "counter",
      "storefront_http_request_duration_seconds": "histogram",
      "storefront_http_open_connections": "gauge",
      "storefront_http_requests_in_flight": "gauge",
      "storefront_eventlog_replay_duration_seconds": "gauge",
      "storefront_eventlog_replayed_records": "gauge",
      "storefront_eventlog_writes_stopped": "gauge",
      "storefront_password_hash_queue_depth": "gauge",
      "storefront_password_hash_rejections_total": "counter",
      "storefront_throttled_requests_total": "counter",
      "storefront_ready": "gauge",
    ]
    for (name, type) in expected { #expect(before.types[name] == type, "\(name)") }
    #expect(before.value("storefront_ready") == 1)
    #expect(before.value("storefront_eventlog_writes_stopped") == 0)
    #expect(
      Set(before.series("storefront_http_open_connections").map { $0.labels["loop"] }) == [
        "0", "1",
      ])

    // Traffic: catalog reads, unknown paths, registrations (the fourth is throttled).
    for _ in 0..<25 { #expect(try await client.get("/products/").status == 200) }
    for number in 0..<3 { #expect(try await client.get("/nowhere/\(number)/").status == 404) }
    for number in 0..<3 { _ = try await client.register("metrics\(number)") }
    let throttled = try await client.post(
      "/users/register/",
      #"{"username": "late", "email": "late@example.com", "password": "password-123"}"#)
    #expect(throttled.status == 429)
    // Connections held open while scraping are counted on their loops.
    let held = try await ClientThreads.one {
      try (0..<4).map { _ in
        let connection = try TestConnection(port: server.port)
        _ = try connection.request("GET", "/api/health/")
        return connection
      }
    }
    let after = try await PrometheusText.scrape(port: server.port)
    withExtendedLifetime(held) {}

    let requests = "storefront_http_requests_total"
    #expect(after.value(requests, Self.products) - before.value(requests, Self.products) == 25)
    let unmatched = ["route": "unmatched", "method": "GET", "status": "404"]
    #expect(after.value(requests, unmatched) - before.value(requests, unmatched) == 3)
    let registered = ["route": "/api/users/register/", "method": "POST", "status": "201"]
    #expect(after.value(requests, registered) == 3)
    let refused = ["route": "/api/users/register/", "method": "POST", "status": "429"]
    #expect(after.value(requests, refused) == 1)
    #expect(after.value("storefront_throttled_requests_total", ["scope": "anon"]) == 1)
    #expect(after.value("storefront_throttled_requests_total", ["scope": "user"]) == 0)
    #expect(after.sum("storefront_http_open_connections") >= 5)
    for sample in after.series(requests) {
      #expect(Set(sample.labels.keys) == ["route", "method", "status"])
      #expect(sample.value >= 1)
    }

    // The catalog's latency histogram: cumulative buckets ending in +Inf = count.
    let latency = "storefront_http_request_duration_seconds"
    let buckets = after.series(latency + "_bucket", ["route": "/api/products/"])
      .sorted { Double($0.labels["le"]!)! < Double($1.labels["le"]!)! }
    #expect(buckets.count >= 10)
    #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value })
    #expect(buckets.last?.labels["le"] == "+Inf")
    let count = after.value(latency + "_count", ["route": "/api/products/"])
    #expect(buckets.last?.value == count)
    #expect(count - before.value(latency + "_count", ["route": "/api/products/"]) == 25)
    #expect(after.value(latency + "_sum", ["route": "/api/products/"]) > 0)

    // The event log: three registrations appended and synced (storage.fsync "always").
    let appended = "storefront_eventlog_appended_events_total"
    #expect(after.value(appended) - before.value(appended) >= 3)
    #expect(
      after.value("storefront_eventlog_written_bytes_total")
        > before.value("storefront_eventlog_written_bytes_total"))
    #expect(
      after.value("storefront_eventlog_fsync_duration_seconds_count")
        - before.value("storefront_eventlog_fsync_duration_seconds_count") >= 3)
    #expect(
      after.value("storefront_eventlog_batch_events_count")
        - before.value("storefront_eventlog_batch_events_count") >= 3)
    #expect(after.value("storefront_password_hash_queue_depth") == 0)

    // A compaction through the control socket is counted.
    let compacted = try await runStorefront(["log", "compact", "--data-dir", path + "/data"])
    #expect(compacted.status == 0, "\(compacted.standardError)")
    let last = try await PrometheusText.scrape(port: server.port)
    #expect(last.value("storefront_eventlog_compactions_total", ["outcome": "completed"]) == 1)
    #expect(last.value(requests, ["route": "/metrics", "method": "GET", "status": "200"]) >= 2)
    #expect(try await client.get("//metrics/").status == 404)
    #expect(try await client.post("//metrics").status == 405)
    #expect(try server.terminate() == 0)
  }

  @Test(
    "metrics.listen serves the metrics on a port of their own; metrics.path \"\" turns them off")
  func separateListenerAndOff() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let metricsPort = try FreePort.pick()
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: [
          "STOREFRONT_METRICS_LISTEN": "127.0.0.1:\(metricsPort)",
          "STOREFRONT_METRICS_PATH": "/internal/metrics",
        ])
    }
    defer { try? server.killHard() }
    let client = APIClient(port: server.port)
    #expect(try await client.get("/products/").status == 200)
    let scrape = try await PrometheusText.scrape(port: metricsPort, path: "/internal/metrics")
    #expect(scrape.value("storefront_http_requests_total", Self.products) == 1)
    #expect(try await client.get("//internal/metrics").status == 404)
    let other = try await ClientThreads.one {
      try TestConnection(port: metricsPort).request("GET", "/api/products/")
    }
    #expect(other.status == 404)
    #expect(try server.terminate() == 0)

    let off = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: ["STOREFRONT_METRICS_PATH": ""])
    }
    defer { try? off.killHard() }
    #expect(try await APIClient(port: off.port).get("//metrics").status == 404)
    #expect(try off.terminate() == 0)
  }
}
