import EventHTTP
import EventLog
import JSON

/// `GET /ready/`: whether the server can take writes. 200 `{"status": "ready"}` while it can;
/// 503 `{"status": "unavailable", "reason": "writes stopped after: <error>"}` once a failed
/// write or sync of the event log has stopped writes (reads are still served). `/health/` is
/// the liveness check and stays 200 either way.
enum ReadyRoute {
  static let readyBody = JSONValue.object(["status": .string("ready")]).encoded()

  static func register(into router: inout RouteTable) {
    router.add(.GET, "/ready/", APIRoute("Ready", .anyone) { response($0.app) })
  }

  static func response(_ app: StorefrontApp) -> HTTPResponse {
    guard let failure = app.writeFailure else { return JSONResponse.encoded(200, readyBody) }
    let reason =
      if case .writesStopped(let cause) = failure {
        "writes stopped after: \(cause)"
      } else {
        "writes stopped: \(failure)"
      }
    return JSONResponse.make(
      503, .object(["status": .string("unavailable"), "reason": .string(reason)]))
  }
}
