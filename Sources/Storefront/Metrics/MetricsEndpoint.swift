import EventHTTP

/// `GET metrics.path`: the Prometheus text of a ``StorefrontMetrics``, rendered off the loop
/// thread. Other methods get DRF's JSON 405.
struct MetricsEndpoint: Sendable {
  let metrics: StorefrontMetrics
  let path: String
  /// The route index replies carry (``HTTPResponse/route``).
  let route: Int

  static let contentType = HTTPHeaders([
    HTTPHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
  ])

  /// Whether `request` is for the metrics path (exactly; a trailing slash is another path).
  func matches(_ request: HTTPRequest) -> Bool { request.path == path }

  func reply(_ request: HTTPRequest) -> HTTPReply {
    guard request.method == .GET || request.method == .HEAD else {
      var refusal = APIError.methodNotAllowed(request.method, allowed: "GET, HEAD").response
      refusal.route = route
      return .now(refusal)
    }
    return .later { [metrics, route] in
      HTTPResponse(status: 200, headers: Self.contentType, body: metrics.render(), route: route)
    }
  }
}

/// The responder of `metrics.listen`: the metrics path, and 404 for everything else.
struct MetricsOnlyResponder: HTTPResponder {
  let endpoint: MetricsEndpoint

  func respond(to request: HTTPRequest) -> HTTPReply {
    endpoint.matches(request) ? endpoint.reply(request) : .now(APIError.notFound.response)
  }
}
