import EventHTTP
import JSON
import StorefrontCore

/// A list answer: the plain JSON array of the document, or DRF's pagination envelope when the
/// query has a `limit`.
enum ListResponse {
  /// The query parameters of `call` (a 400 beyond 1000 fields).
  static func parameters(_ call: RouteCall) throws(APIError) -> QueryParameters {
    try QueryParameters(call.request.query)
  }

  /// The page `parameters` ask for, capped at `api.max_page_size`, or nil for the whole list.
  static func pagination(_ parameters: QueryParameters, _ call: RouteCall)
    -> LimitOffsetPagination?
  {
    LimitOffsetPagination(parameters, maxLimit: call.app.config.api.maxPageSize)
  }

  /// 200 with `items` encoded by `encode`, paginated when `page` is given.
  static func make<Item>(
    _ items: [Item], page: LimitOffsetPagination?, _ call: RouteCall,
    encode: (Item) -> [UInt8]
  ) throws(APIError) -> HTTPResponse {
    try make(count: items.count, page: page, call) { range, writer in
      for item in items[range] { writer.raw(encode(item)) }
    }
  }

  /// 200 with the `count` items of a list, paginated when `page` is given: `write` adds the
  /// encodings of the items in a range (those of the page, or all) to the array's writer.
  static func make(
    count: Int, page: LimitOffsetPagination?, _ call: RouteCall,
    write: (Range<Int>, inout JSONWriter) -> Void
  ) throws(APIError) -> HTTPResponse {
    let range = page?.window.range(count: count) ?? 0..<count
    var writer = JSONWriter(capacity: 2 + range.count * 256)
    writer.beginArray()
    write(range, &writer)
    writer.endArray()
    guard let page else { return JSONResponse.encoded(200, writer.bytes) }
    return try envelope(count: count, results: writer.bytes, page: page, call)
  }

  /// 200 with the envelope around an encoded page.
  static func envelope(
    count: Int, results: [UInt8], page: LimitOffsetPagination, _ call: RouteCall
  ) throws(APIError) -> HTTPResponse {
    JSONResponse.encoded(
      200,
      try page.body(count: count, results: results, request: call.request, host: host(call.app)))
  }

  /// `host:port` of the configuration, for a request without a `Host` header (HTTP/1.0), as
  /// Django falls back to `SERVER_NAME` and `SERVER_PORT` (no port when it is 0, an ephemeral
  /// one the configuration does not know).
  static func host(_ app: StorefrontApp) -> String {
    let host = app.config.host.contains(":") ? "[\(app.config.host)]" : app.config.host
    return app.config.port == 0 ? host : "\(host):\(app.config.port)"
  }
}
