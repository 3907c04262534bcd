import EventHTTP
import JSON

/// The route table: the router the responder matches requests with, and every registration
/// in order, so that what describes the routes (``OpenAPIDocument``) is built from the same
/// table the server answers from.
///
/// ```swift
/// var table = RouteTable()
/// table.add(.GET, "/health/", APIRoute("Health", .anyone) { _ in ok })
/// table.entries.map(\.pattern)  // ["/health/"]
/// ```
struct RouteTable: Sendable {
  /// One method on one path pattern.
  struct Entry: Sendable {
    let method: HTTPMethod
    /// As registered, e.g. `/products/<int:id>/variants/`.
    let pattern: String
    let route: APIRoute
  }

  private(set) var router = Router<APIRoute>()
  /// Every method and pattern, in registration order (a repeated one replaces the earlier).
  private(set) var entries: [Entry] = []

  /// Adds `route` for `method` on `pattern` (see ``Router/add(_:_:_:)``).
  mutating func add(_ method: HTTPMethod, _ pattern: String, _ route: APIRoute) {
    router.add(method, pattern, route)
    let entry = Entry(method: method, pattern: pattern, route: route)
    if let index = entries.firstIndex(where: { $0.method == method && $0.pattern == pattern }) {
      entries[index] = entry
    } else {
      entries.append(entry)
    }
  }
}

extension RouteTable {
  /// Adds the route `name` for `method` on `pattern` whose answer is `status` with the JSON
  /// `handle` returns (``JSONResponse/make(_:_:headers:)``).
  mutating func add(
    _ method: HTTPMethod, _ pattern: String, _ name: String, _ permission: Permission,
    status: Int = 200, watchesClient: Bool = false,
    json handle: @escaping @Sendable (RouteCall) async throws -> JSONValue
  ) {
    add(
      method, pattern,
      APIRoute(name, permission, watchesClient: watchesClient) { call in
        JSONResponse.make(status, try await handle(call))
      })
  }
}
