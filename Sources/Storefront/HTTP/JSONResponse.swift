import EventHTTP
import JSON
import Primitives

/// JSON replies, as DRF renders them (`Content-Type: application/json`, compact).
enum JSONResponse {
  static let contentType = HTTPHeader("Content-Type", "application/json")
  /// Shared by every reply that has no other header (no allocation per request).
  static let contentTypeOnly = HTTPHeaders([contentType])

  /// A reply whose body is `value` encoded.
  static func make(
    _ status: Int, _ value: JSONValue, headers: HTTPHeaders = [:]
  ) -> HTTPResponse {
    var all = HTTPHeaders([contentType])
    all.add(contentsOf: headers)
    return HTTPResponse(status: status, headers: all, body: value.encoded())
  }

  /// A reply with an already encoded body.
  static func encoded(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
    HTTPResponse(status: status, headers: contentTypeOnly, body: body)
  }

  /// A reply whose pre-encoded body is `parts`, one after another, sent by reference.
  static func shared(_ status: Int, _ parts: [SharedBytes.Part]) -> HTTPResponse {
    HTTPResponse(status: status, headers: contentTypeOnly, sharedBody: parts)
  }

  /// `{"detail": "<detail>"}`.
  static func detail(
    _ status: Int, _ detail: String, headers: HTTPHeaders = [:]
  ) -> HTTPResponse {
    make(status, .object(["detail": .string(detail)]), headers: headers)
  }
}
