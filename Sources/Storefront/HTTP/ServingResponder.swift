import EventHTTP
import JSON
import Synchronization

/// What `storefront serve` answers with from the moment it listens, which is before the event
/// log is replayed: `metrics.path` (when served on the API's port) at any time; until
/// ``open(_:)``, `/api/health/` 200 (the process is alive), `/api/ready/` 503 with the replay's
/// progress as its reason, and every other path a JSON 503 with `Retry-After: 1`; from then
/// on, the API.
// `api` is written once, in `open`, before the releasing store of `isOpen`; it is read only
// after an acquiring load of `isOpen` returned true, and never written again.
final class ServingResponder: HTTPResponder, @unchecked Sendable {
  private let isOpen = Atomic<Bool>(false)
  private var api: StorefrontResponder?
  private let metrics: MetricsEndpoint?
  /// Records replayed so far (written by the replay, read by `/api/ready/`).
  let replayed = Atomic<Int>(0)
  private let prefix: String

  init(prefix: String, metrics: MetricsEndpoint?) {
    var prefix = prefix
    while prefix.hasSuffix("/") { prefix.removeLast() }
    self.prefix = prefix
    self.metrics = metrics
  }

  /// Starts answering with `api`. Call once.
  func open(_ api: StorefrontResponder) {
    precondition(!isOpen.load(ordering: .relaxed), "ServingResponder opened twice")
    self.api = api
    isOpen.store(true, ordering: .releasing)
  }

  /// Whether the API is being served (the log has been replayed).
  var isServing: Bool { isOpen.load(ordering: .acquiring) }

  /// What `/api/ready/` says: serving, and writes have not stopped.
  var isReady: Bool {
    guard isOpen.load(ordering: .acquiring), let api else { return false }
    return api.app.writeFailure == nil
  }

  func respond(to request: HTTPRequest) -> HTTPReply {
    if let metrics, metrics.matches(request) { return metrics.reply(request) }
    if isOpen.load(ordering: .acquiring), let api { return api.respond(to: request) }
    return .now(starting(request))
  }

  static let startingBody = JSONValue.object([
    "detail": .string("The server is starting (replaying its event log); try again shortly.")
  ]).encoded()

  /// The replies before the API opens.
  private func starting(_ request: HTTPRequest) -> HTTPResponse {
    let path = request.path.utf8.last == UInt8(ascii: "/") ? request.path : request.path + "/"
    if path == prefix + "/health/", request.method == .GET || request.method == .HEAD {
      return JSONResponse.encoded(200, HealthRoute.body)
    }
    if path == prefix + "/ready/", request.method == .GET || request.method == .HEAD {
      let records = replayed.load(ordering: .relaxed)
      return JSONResponse.make(
        503,
        .object([
          "status": .string("unavailable"),
          "reason": .string("replaying the event log (\(records) records so far)"),
        ]), headers: ["Retry-After": "1"])
    }
    var response = JSONResponse.encoded(503, Self.startingBody)
    response.headers.add("Retry-After", "1")
    return response
  }
}
