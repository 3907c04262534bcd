import EventHTTP

/// A request's query string as Django's `QueryDict` reads it: `&`-separated `name=value`
/// pairs, percent-decoded with `+` as a space, blank values kept (`?a&b=` has `a` and `b`,
/// both `""`), invalid UTF-8 as U+FFFD. Filters read a repeated name's last value.
///
/// ```swift
/// let query = try QueryParameters(request.query)     // "search=red+shirt&limit=2"
/// query["search"]                                     // "red shirt"
/// ```
struct QueryParameters: Sendable {
  /// Every pair in order, decoded.
  let pairs: [(name: String, value: String)]
  /// The position of the last pair of each name.
  private let lastIndex: [String: Int]

  /// Parses `query` in one pass. More than `maximumFields` fields (Django's
  /// `DATA_UPLOAD_MAX_NUMBER_FIELDS`, counted as Python's `parse_qsl` does) is a 400.
  init(
    _ query: String, maximumFields: Int = FormURLEncoded.defaultMaximumFields
  ) throws(APIError) {
    let bytes = Array(query.utf8)
    if !bytes.isEmpty {
      var fields = 1
      for byte in bytes where byte == UInt8(ascii: "&") { fields += 1 }
      if fields > maximumFields {
        throw APIError(
          response: JSONResponse.detail(400, "The number of fields exceeded \(maximumFields)."))
      }
    }
    var pairs: [(name: String, value: String)] = []
    var lastIndex: [String: Int] = [:]
    for field in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      let parts = field.split(
        separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
      let name = FormURLEncoded.decode(parts[0])
      let value = parts.count > 1 ? FormURLEncoded.decode(parts[1]) : ""
      lastIndex[name] = pairs.count
      pairs.append((name, value))
    }
    self.pairs = pairs
    self.lastIndex = lastIndex
  }

  /// The last value of `name`, or nil when it is absent.
  subscript(name: String) -> String? { lastIndex[name].map { pairs[$0].value } }
}
