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
}

/// How a responder answers.
public enum HTTPReply: Sendable {
  /// Sent at once, on the loop thread, without creating a task (hot read paths).
  case now(HTTPResponse)
  /// Run as a task that may await actors on other threads; its result is sent on the loop
  /// thread that received the request.
  case later(@Sendable () async -> HTTPResponse)
}
