import EventHTTP

/// The whole route table of API.md (paths relative to the mount prefix, e.g. `/api`).
enum APIRoutes {
  static let table: RouteTable = {
    var router = RouteTable()
    HealthRoute.register(into: &router)
    ReadyRoute.register(into: &router)
    SchemaRoute.register(into: &router)
    AuthRoutes.register(into: &router)
    CatalogRoutes.register(into: &router)
    OrderRoutes.register(into: &router)
    return router
  }()
}
