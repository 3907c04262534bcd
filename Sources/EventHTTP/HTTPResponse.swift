import Primitives

/// A reply: status, headers and body bytes. `Content-Length` and `Date` are added by evhttp.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: HTTPHeaders
  /// The body, or its first bytes when ``sharedBody`` follows.
  public var body: [UInt8]
  /// The index of the route that answered, among the route labels of the server's
  /// ``HTTPMetrics`` (a responder sets it; `-1`: none, counted as `unmatched`).
  public var route: Int
  /// Bytes sent after `body`, in order, each added to the reply buffer by reference (never
  /// copied): a large pre-encoded body shared by many replies.
  public var sharedBody: [SharedBytes.Part]

  public init(
    status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [],
    sharedBody: [SharedBytes.Part] = [], route: Int = -1
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.sharedBody = sharedBody
    self.route = route
  }

  /// The length of the whole body.
  public var bodyCount: Int { sharedBody.reduce(body.count) { $0 + $1.range.count } }

  /// The whole body in one array (a copy of the shared parts: for tests and tools).
  public var joinedBody: [UInt8] {
    var all = body
    for part in sharedBody { all.append(contentsOf: part.bytes) }
    return all
  }

  /// The standard reason phrase for `status`.
  public var reasonPhrase: String { HTTPResponse.reasonPhrase(for: status) }

  static func reasonPhrase(for status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 204: "No Content"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 413: "Request Entity Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 417: "Expectation Failed"
    case 422: "Unprocessable Entity"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 503: "Service Unavailable"
    case 505: "HTTP Version Not Supported"
    default: "Status \(status)"
    }
  }
}
