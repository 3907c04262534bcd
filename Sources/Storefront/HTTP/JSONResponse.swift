import EventHTTP
import JSON

/// JSON replies, as DRF renders them (`Content-Type: application/json`, compact).
enum JSONResponse {
  static let contentType = (name: "Content-Type", value: "application/json")

  /// A reply whose body is `value` encoded.
  static func make(
    _ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []
  ) -> HTTPResponse {
    HTTPResponse(status: status, headers: [contentType] + headers, body: value.encoded())
  }

  /// A reply with an already encoded body.
  static func encoded(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
    HTTPResponse(status: status, headers: [contentType], body: body)
  }

  /// `{"detail": "<detail>"}`.
  static func detail(
    _ status: Int, _ detail: String, headers: [(name: String, value: String)] = []
  ) -> HTTPResponse {
    make(status, .object(["detail": .string(detail)]), headers: headers)
  }
}
