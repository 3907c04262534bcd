import EventHTTP

/// `GET /schema/`: the OpenAPI 3.1 description of every route (``OpenAPIDocument``), encoded
/// once per mount and answered on the loop thread.
enum SchemaRoute {
  static func register(into router: inout RouteTable) {
    let schema: @Sendable (APIMount) -> HTTPResponse = { JSONResponse.encoded(200, $0.schema) }
    router.add(
      .GET, "/schema/", APIRoute("Schema", .anyone, immediate: schema) { schema($0.mount) })
  }
}
