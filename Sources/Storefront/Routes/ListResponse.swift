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
    guard let page else { return JSONResponse.encoded(200, array(items[...], encode)) }
    let results = array(items[page.window.range(count: items.count)], encode)
    return try envelope(count: items.count, results: results, page: page, call)
  }

  /// 200 with the envelope around an encoded page.
  static func envelope(
    count: Int, results: [UInt8], page: LimitOffsetPagination, _ call: RouteCall
  ) throws(APIError) -> HTTPResponse {
    JSONResponse.encoded(
      200,
      try page.body(count: count, results: results, request: call.request, host: host(call.app)))
  }

  /// The JSON array of `items`, each encoded by `encode` (the bytes of `JSONValue.array`).
  static func array<Item>(_ items: ArraySlice<Item>, _ encode: (Item) -> [UInt8]) -> [UInt8] {
    var writer = JSONWriter(capacity: 2 + items.count * 256)
    writer.beginArray()
    for item in items { writer.raw(encode(item)) }
    writer.endArray()
    return writer.bytes
  }

  /// `host:port` of the configuration, for a request without a `Host` header (HTTP/1.0), as
  /// Django falls back to `SERVER_NAME` and `SERVER_PORT` (no port when it is 0, an ephemeral
  /// one the configuration does not know).
  static func host(_ app: StorefrontApp) -> String {
    let host = app.config.host.contains(":") ? "[\(app.config.host)]" : app.config.host
    return app.config.port == 0 ? host : "\(host):\(app.config.port)"
  }
}
