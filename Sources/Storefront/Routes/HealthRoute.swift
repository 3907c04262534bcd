import EventHTTP
import JSON

/// `GET /health/`: `{"status": "ok"}` once the server accepts connections (the log has been
/// replayed before the port is bound).
enum HealthRoute {
  static let body = JSONValue.object(["status": .string("ok")]).encoded()

  static func register(into router: inout RouteTable) {
    let ok: @Sendable (APIMount) -> HTTPResponse = { _ in JSONResponse.encoded(200, body) }
    router.add(.GET, "/health/", APIRoute("Health", .anyone, immediate: ok) { ok($0.mount) })
  }
}
