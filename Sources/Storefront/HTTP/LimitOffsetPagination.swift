import EventHTTP
import JSON
import StorefrontCore

/// DRF's `LimitOffsetPagination`, opt-in: a list is paginated only when `limit` is given.
///
/// `?limit=20&offset=40` answers `{"count", "next", "previous", "results"}`: `count` is the
/// total after filters; `next` and `previous` are absolute URLs built from the `Host` header
/// and the request's path, with every other parameter kept, sorted by name and re-encoded as
/// Python's `urlencode` does (DRF's `replace_query_param`); `previous` drops `offset` once it
/// reaches 0 (`remove_query_param`). `limit` is capped at `api.max_page_size`; a `limit` that
/// is not a positive integer, or an `offset` that is not a non-negative one, is ignored.
///
/// ```swift
/// if let page = LimitOffsetPagination(query, maxLimit: 100) {
///   let body = try page.body(count: total, results: encodedPage, request: request, host: fallback)
/// }
/// ```
struct LimitOffsetPagination: Sendable {
  let limit: Int
  let offset: PythonInteger

  /// The page `query` asks for, or nil when it asks for the whole list.
  init?(_ query: QueryParameters, maxLimit: Int) {
    guard let text = query["limit"], let limit = PythonInteger(text), limit.value > 0 else {
      return nil
    }
    self.limit = min(limit.value, maxLimit)
    offset = query["offset"].flatMap(PythonInteger.init) ?? PythonInteger(0)
  }

  /// The slice of the list this page shows.
  var window: ListWindow { ListWindow(offset: offset.value, limit: limit) }

  /// The envelope around `results` (the encoded JSON array of the page).
  ///
  /// - Parameter host: the `host[:port]` to use when the request has no `Host` header.
  /// - Throws: a 400 when the `Host` header is not a valid host name, as Django's `get_host()`
  ///   refuses it.
  func body(
    count: Int, results: [UInt8], request: HTTPRequest, host: String
  ) throws(APIError) -> [UInt8] {
    let next: String?
    if offset.value >= count || count - offset.value <= limit {
      next = nil
    } else {
      next = try link(request, host: host, offset: PythonInteger(offset.value + limit))
    }
    let previous: String?
    if offset.value <= 0 {
      previous = nil
    } else if offset.value <= limit {
      previous = try link(request, host: host, offset: nil)
    } else {
      previous = try link(request, host: host, offset: offset.subtracting(limit))
    }
    var writer = JSONWriter(capacity: results.count + 128)
    writer.beginObject()
    writer.key("count")
    writer.int(count)
    writer.key("next")
    if let next { writer.string(next) } else { writer.null() }
    writer.key("previous")
    if let previous { writer.string(previous) } else { writer.null() }
    writer.key("results")
    writer.raw(results)
    writer.endObject()
    return writer.bytes
  }

  /// `http://<host><path>?<query>` with `limit` set to the page's and `offset` set (or removed
  /// when nil).
  private func link(
    _ request: HTTPRequest, host: String, offset: PythonInteger?
  ) throws(APIError) -> String {
    let parameters = try QueryParameters(request.query, maximumFields: Int.max)
    var names: [String] = []
    var values: [String: [String]] = [:]
    for (name, value) in parameters.pairs {
      if values[name] == nil { names.append(name) }
      values[name, default: []].append(value)
    }
    for name in ["limit", "offset"] where values[name] == nil { names.append(name) }
    values["limit"] = [String(limit)]
    values["offset"] = offset.map { [$0.digits] }
    let encoded = names.filter { values[$0] != nil }
      .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      .flatMap { name in values[name]!.map { Self.quotePlus(name) + "=" + Self.quotePlus($0) } }
      .joined(separator: "&")
    return "http://" + (try Self.host(of: request, fallback: host)) + request.path + "?" + encoded
  }

  /// The `Host` header as sent, once its host part passes Django's `host_validation_re`
  /// (`[a-z0-9.-]+` or a bracketed IPv6 address, then an optional `:port`).
  static func host(of request: HTTPRequest, fallback: String) throws(APIError) -> String {
    guard let host = request.headers["Host"], !host.isEmpty else { return fallback }
    guard isValidHost(host) else {
      throw APIError(
        response: JSONResponse.detail(
          400,
          "Invalid HTTP_HOST header: '\(host)'. The domain name provided is not valid according to RFC 1034/1035."
        ))
    }
    return host
  }

  static func isValidHost(_ host: String) -> Bool {
    let bytes = Array(host.utf8).map {
      $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0
    }
    var index = 0
    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
    func isHex(_ byte: UInt8) -> Bool {
      isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }
    if bytes.first == UInt8(ascii: "[") {
      // \[[a-f0-9]*:[a-f0-9\.:]+\]
      index = 1
      while index < bytes.count, isHex(bytes[index]) { index += 1 }
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
      index += 1
      let start = index
      while index < bytes.count,
        isHex(bytes[index]) || bytes[index] == UInt8(ascii: ".")
          || bytes[index] == UInt8(ascii: ":")
      {
        index += 1
      }
      guard index > start, index < bytes.count, bytes[index] == UInt8(ascii: "]") else {
        return false
      }
      index += 1
    } else {
      while index < bytes.count,
        isDigit(bytes[index])
          || (bytes[index] >= UInt8(ascii: "a") && bytes[index] <= UInt8(ascii: "z"))
          || bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard index > 0 else { return false }
    }
    if index == bytes.count { return true }
    guard bytes[index] == UInt8(ascii: ":") else { return false }
    index += 1
    let portStart = index
    while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    return index > portStart && index == bytes.count
  }

  private static let hexDigits = Array("0123456789ABCDEF".utf8)

  /// Python's `quote_plus` (UTF-8, nothing but letters, digits and `_.-~` left as is, spaces
  /// as `+`).
  static func quotePlus(_ text: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
        UInt8(ascii: "-"), UInt8(ascii: "~"):
        output.append(byte)
      case UInt8(ascii: " "):
        output.append(UInt8(ascii: "+"))
      default:
        output.append(UInt8(ascii: "%"))
        output.append(hexDigits[Int(byte >> 4)])
        output.append(hexDigits[Int(byte & 0x0F)])
      }
    }
    return String(decoding: output, as: UTF8.self)
  }
}
