/// A request copied out of libevent on its loop thread: safe to hand to any task.
public struct HTTPRequest: Sendable {
  public var method: HTTPMethod
  /// The path without the query string, as sent (not percent-decoded).
  public var path: String
  /// The query string after `?`, or `""`.
  public var query: String
  public var headers: HTTPHeaders
  public var body: [UInt8]
  /// The index of the event loop that received the request and will send its reply.
  public var loopIndex: Int
  /// The peer's IP address as text (`127.0.0.1`, `::1`), or `""` when unknown.
  public var remoteAddress: String

  public init(
    method: HTTPMethod, path: String, query: String = "", headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8] = [], loopIndex: Int = 0, remoteAddress: String = ""
  ) {
    self.remoteAddress = remoteAddress
    self.method = method
    self.path = path
    self.query = query
    self.headers = headers
    self.body = body
    self.loopIndex = loopIndex
  }
}
