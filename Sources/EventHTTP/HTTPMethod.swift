import CLibevent

/// The request methods evhttp parses.
public enum HTTPMethod: String, Sendable, CaseIterable {
  case GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, CONNECT

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

  /// Every method, as the bit set `evhttp_set_allowed_methods` takes.
  static var allLibeventMethods: UInt16 {
    let all: [evhttp_cmd_type] = [
      EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT, EVHTTP_REQ_DELETE,
      EVHTTP_REQ_OPTIONS, EVHTTP_REQ_TRACE, EVHTTP_REQ_CONNECT, EVHTTP_REQ_PATCH,
    ]
    return all.reduce(0) { $0 | UInt16($1.rawValue) }
  }
}
