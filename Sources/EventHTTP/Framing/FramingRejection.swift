/// Why the HTTP layer refused a request before any route saw it: a status and a detail for
/// a JSON body `{"detail": "..."}`. Every rejection closes the connection after its reply.
public struct FramingRejection: Sendable, Equatable, Error {
  public let status: Int
  public let detail: String
  /// Extra response headers (e.g. `Retry-After`).
  public let headers: [HTTPHeader]

  public init(_ status: Int, _ detail: String, headers: [HTTPHeader] = []) {
    self.status = status
    self.detail = detail
    self.headers = headers
  }

  static let badRequestLine = FramingRejection(400, "Invalid request line.")
  static let badTarget = FramingRejection(400, "Invalid request target.")
  static let badVersion = FramingRejection(400, "Invalid HTTP version.")
  static let unsupportedVersion = FramingRejection(505, "HTTP version not supported.")
  static let badHeaderField = FramingRejection(400, "Invalid header field.")
  static let badHeaderValue = FramingRejection(400, "Invalid character in a header field value.")
  static let headersTooLarge = FramingRejection(431, "Request header fields too large.")
  static let targetTooLong = FramingRejection(414, "Request-URI too long.")
  static let missingHost = FramingRejection(400, "Missing Host header.")
  static let multipleHosts = FramingRejection(400, "Multiple Host headers.")
  static let badContentLength = FramingRejection(400, "Invalid Content-Length header.")
  static let conflictingContentLength = FramingRejection(
    400, "Conflicting Content-Length headers.")
  static let lengthAndChunked = FramingRejection(
    400, "Content-Length and Transfer-Encoding must not be sent together.")
  static let badTransferEncoding = FramingRejection(400, "Invalid Transfer-Encoding header.")
  static let unsupportedTransferEncoding = FramingRejection(
    501, "Unsupported Transfer-Encoding.")
  static let badChunk = FramingRejection(400, "Malformed chunked request body.")
  static let bodyTooLarge = FramingRejection(413, "Request body too large.")
  static let expectationFailed = FramingRejection(417, "Expectation failed.")
  static let timedOut = FramingRejection(408, "Request timeout.")
  static let uploadsBusy = FramingRejection(
    503, "Too many request bodies in progress; try again shortly.",
    headers: [HTTPHeader("Retry-After", "1")])
}
