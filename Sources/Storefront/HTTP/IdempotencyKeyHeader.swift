import EventHTTP

/// The `Idempotency-Key` request header of `POST /orders/`: 1 to 255 printable ASCII
/// characters (space to `~`). Several fields are joined with `,`, as gunicorn hands them to
/// Django.
enum IdempotencyKeyHeader {
  static let maximumLength = 255

  static let invalid = APIError(
    response: JSONResponse.detail(
      400, "Idempotency-Key must be 1 to 255 printable ASCII characters."))

  /// The key, nil when the header is absent; a 400 when it is empty, too long or not
  /// printable ASCII.
  static func parse(_ headers: HTTPHeaders) throws(APIError) -> String? {
    var value: String?
    for field in headers where HTTPHeaders.equalIgnoringASCIICase(field.name, "Idempotency-Key") {
      value = value.map { $0 + "," + field.value } ?? field.value
    }
    guard let value else { return nil }
    let bytes = value.utf8
    guard !bytes.isEmpty, bytes.count <= maximumLength,
      bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E })
    else { throw invalid }
    return value
  }
}
