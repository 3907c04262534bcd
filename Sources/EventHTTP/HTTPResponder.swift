/// Turns a request into a reply, either at once on the loop thread or later from async code.
///
/// ```swift
/// struct Hello: HTTPResponder {
///   func respond(to request: HTTPRequest) -> HTTPReply {
///     .now(HTTPResponse(status: 200, body: Array("hi".utf8)))
///   }
/// }
/// ```
public protocol HTTPResponder: Sendable {
  /// Called on the loop thread that owns `request`. Must not block.
  func respond(to request: HTTPRequest) -> HTTPReply

  /// The reply to a request the HTTP layer refused before routing (malformed framing,
  /// limits, deadline). Called on the loop thread; the connection closes after it.
  func response(for rejection: FramingRejection) -> HTTPResponse
}

extension HTTPResponder {
  /// `{"detail": "<detail>"}` with the rejection's status and headers.
  public func response(for rejection: FramingRejection) -> HTTPResponse {
    var escaped = ""
    for scalar in rejection.detail.unicodeScalars {
      switch scalar {
      case "\\": escaped += "\\\\"
      case "\"": escaped += "\\\""
      case _ where scalar.value < 0x20: escaped += "?"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    var headers = HTTPHeaders([HTTPHeader("Content-Type", "application/json")])
    for field in rejection.headers { headers.add(field.name, field.value) }
    return HTTPResponse(
      status: rejection.status, headers: headers,
      body: Array("{\"detail\":\"\(escaped)\"}".utf8))
  }
}

/// How a responder answers.
public enum HTTPReply: Sendable {
  /// Sent at once, on the loop thread, without creating a task (hot read paths).
  case now(HTTPResponse)
  /// Run as a task that may await actors on other threads; its result is sent on the loop
  /// thread that received the request.
  case later(@Sendable () async -> HTTPResponse)
  /// As ``later``, with a ``ClientWatch`` that turns `isGone` when the client disconnects
  /// before the reply (costs a close watch on the socket: for slow or queued work).
  case watched(@Sendable (ClientWatch) async -> HTTPResponse)
}
