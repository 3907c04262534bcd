import EventHTTP
import JSON
import StorefrontCore

/// The detail routes every catalog entity has at `<kind>/<int:id>/`: read from the snapshot
/// by anyone, changed and deleted by an admin.
enum CatalogDetailRoutes {
  /// Registers `GET` (what `find` reads from the snapshot; `missing` when nothing), `PATCH`
  /// (what `update` returns) and `DELETE` (`delete`, then ``noContent``) on `pattern`, each
  /// named `name`. The closures get the catalog, the path's id and the call.
  static func register(
    into router: inout RouteTable, _ pattern: String, _ name: String, missing: ShopError,
    find: @escaping @Sendable (CatalogSnapshot, Int) -> JSONValue?,
    update: @escaping @Sendable (CatalogService, Int, RouteCall) async throws -> JSONValue,
    delete: @escaping @Sendable (CatalogService, Int, RouteCall) async throws -> Void
  ) {
    router.add(.GET, pattern, name, .anyone) { call in
      guard let json = find(call.app.shop.catalog.snapshot, try call.id(0)) else { throw missing }
      return json
    }
    router.add(.PATCH, pattern, name, .admin) { call in
      try await update(call.app.shop.catalog, try call.id(0), call)
    }
    router.add(
      .DELETE, pattern,
      APIRoute(name, .admin) { call in
        try await delete(call.app.shop.catalog, try call.id(0), call)
        return noContent
      })
  }

  /// DRF's 204: no body and no `Content-Type`.
  static let noContent = HTTPResponse(status: 204)
}
