import FaultInjection
import Foundation
import HTTPTestSupport
import JSON
import Testing

/// `GET /api/ready/`: 503 with a reason while the log replays (the server listens first) and
/// after a forced write failure; `/api/health/` answers 200 throughout.
@Suite("Operations: readiness", .serialized)
struct OperationsReadinessTests {
  @Test("while replay is held: health 200, ready 503 with the reason, the API 503; then ready")
  func slowReplay() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let data = path + "/data"
    let seeded = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password-1", "--data-dir", data,
    ])
    #expect(seeded.status == 0, "\(seeded.standardError)")
    // Every read of the log waits until `release` exists: replay cannot finish before it.
    let release = path + "/release"
    let plan = FaultPlan(failing: [:], holdReadsUntil: release)
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: data, workDirectory: path, environment: try plan.environment(),
        waitFor: "/api/health/")
    }
    defer { try? server.killHard() }
    let client = APIClient(port: server.port)
    let ready = try await client.get("/ready/")
    #expect(ready.status == 503)
    #expect(ready.json["status"] == .string("unavailable"))
    #expect(
      ready.json["reason"]?.stringValue?.hasPrefix("replaying the event log (") == true, "\(ready)")
    #expect(ready.headers["retry-after"] == "1")
    let products = try await client.get("/products/")
    #expect(products.status == 503)
    #expect(products.headers["retry-after"] == "1")
    #expect(products.json["detail"]?.stringValue?.contains("starting") == true)
    expectJSON(try await client.get("/health/"), 200, #"{"status": "ok"}"#)
    let starting = try await PrometheusText.scrape(port: server.port)
    #expect(starting.value("storefront_ready") == 0)

    // An admin command sent now waits for the replay, then runs in the server.
    let command = Task {
      try await runStorefront([
        "createsuperuser", "--username", "second", "--email", "second@example.com",
        "--password", "second-password-1", "--data-dir", data,
      ])
    }
    try await Task.sleep(for: .milliseconds(300))
    #expect(try await client.get("/ready/").status == 503, "replay finished while held")
    #expect(FileManager.default.createFile(atPath: release, contents: nil))

    let deadline = ContinuousClock.now + .seconds(60)
    var status = 0
    while ContinuousClock.now < deadline {
      status = try await client.get("/ready/").status
      if status == 200 { break }
      try await Task.sleep(for: .milliseconds(20))
    }
    #expect(status == 200)
    expectJSON(try await client.get("/ready/"), 200, #"{"status": "ready"}"#)
    #expect(try await client.get("/products/").status == 200)
    let created = try await command.value
    #expect(created.status == 0, "\(created.standardError)")
    #expect(created.standardOutput == "Superuser \"second\" created (id 2).\n")
    let serving = try await PrometheusText.scrape(port: server.port)
    #expect(serving.value("storefront_ready") == 1)
    #expect(serving.value("storefront_eventlog_replayed_records") == 1)
    #expect(try server.terminate() == 0)
  }

  @Test("after a forced write failure: ready 503 with the reason, metrics say so, health 200")
  func writeFailure() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let arm = path + "/arm"
    let plan = FaultPlan(failing: [.write: "1+"], armFile: arm)
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path, environment: try plan.environment())
    }
    defer { try? server.killHard() }
    let client = APIClient(port: server.port)
    _ = try await client.register("before")
    #expect(FileManager.default.createFile(atPath: arm, contents: nil))
    let refused = try await client.post(
      "/users/register/",
      #"{"username": "after", "email": "after@example.com", "password": "password-123"}"#)
    #expect(refused.status == 503, "\(refused)")
    let ready = try await client.get("/ready/")
    #expect(ready.status == 503)
    #expect(
      ready.json["reason"]?.stringValue?.hasPrefix("writes stopped after: writing ") == true,
      "\(ready)")
    expectJSON(try await client.get("/health/"), 200, #"{"status": "ok"}"#)
    let scrape = try await PrometheusText.scrape(port: server.port)
    #expect(scrape.value("storefront_ready") == 0)
    #expect(scrape.value("storefront_eventlog_writes_stopped") == 1)
  }
}
