import CLibevent

/// A request method: one of those evhttp parses, or any other token a client sent
/// (answered with 405 by the API, as DRF answers methods a view does not have).
public enum HTTPMethod: Sendable, Hashable, RawRepresentable {
  case GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, CONNECT
  /// Any other method token, exactly as sent (methods are case-sensitive: `get` is not `GET`).
  case other(String)

  /// The methods with a case of their own.
  public static let known: [HTTPMethod] = [
    .GET, .POST, .PUT, .PATCH, .DELETE, .HEAD, .OPTIONS, .TRACE, .CONNECT,
  ]

  /// The method named `rawValue` (never nil: unknown tokens are ``other(_:)``).
  public init?(rawValue: String) {
    switch rawValue {
    case "GET": self = .GET
    case "POST": self = .POST
    case "PUT": self = .PUT
    case "PATCH": self = .PATCH
    case "DELETE": self = .DELETE
    case "HEAD": self = .HEAD
    case "OPTIONS": self = .OPTIONS
    case "TRACE": self = .TRACE
    case "CONNECT": self = .CONNECT
    default: self = .other(rawValue)
    }
  }

  /// The method token as sent on the request line.
  public var rawValue: String {
    guard let name = knownName else {
      if case .other(let name) = self { return name }
      return ""
    }
    return String(
      decoding: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount),
      as: UTF8.self)
  }

  /// The name of a method with a case of its own, as a literal (nil for ``other(_:)``): for
  /// callers that write it without building a `String` (the access log).
  public var knownName: StaticString? {
    switch self {
    case .GET: "GET"
    case .POST: "POST"
    case .PUT: "PUT"
    case .PATCH: "PATCH"
    case .DELETE: "DELETE"
    case .HEAD: "HEAD"
    case .OPTIONS: "OPTIONS"
    case .TRACE: "TRACE"
    case .CONNECT: "CONNECT"
    case .other: nil
    }
  }

  init?(command: evhttp_cmd_type) {
    switch command {
    case EVHTTP_REQ_GET: self = .GET
    case EVHTTP_REQ_POST: self = .POST
    case EVHTTP_REQ_HEAD: self = .HEAD
    case EVHTTP_REQ_PUT: self = .PUT
    case EVHTTP_REQ_DELETE: self = .DELETE
    case EVHTTP_REQ_OPTIONS: self = .OPTIONS
    case EVHTTP_REQ_TRACE: self = .TRACE
    case EVHTTP_REQ_CONNECT: self = .CONNECT
    case EVHTTP_REQ_PATCH: self = .PATCH
    default: return nil
    }
  }

  /// Every method evhttp knows, as the bit set `evhttp_set_allowed_methods` takes.
  static var allLibeventMethods: UInt16 {
    let all: [evhttp_cmd_type] = [
      EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
      EVHTTP_REQ_OPTIONS, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH,
    ]
    return all.reduce(0) { $0 | UInt16($1.rawValue) }
  }

  /// evhttp's bit for a method it does not know (`EVHTTP_REQ_UNKNOWN_` in http-internal.h,
  /// libevent 2.1.12): allowing it lets such requests reach the generic callback instead of
  /// evhttp's HTML 501.
  static let libeventUnknownMethod: UInt16 = 1 << 15
}
