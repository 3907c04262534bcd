import EventHTTP
import JSON
import StorefrontCore

/// `/products/...`: the catalog.
///
/// A plain list (no query string) is the pre-encoded snapshot body, answered on the loop
/// thread for anonymous callers. A list with parameters (filters, ordering, a page) is
/// computed from the snapshot in a task. Detail reads come from the snapshot too, so a client
/// sees its own acknowledged writes everywhere.
enum CatalogRoutes {
  static func register(into router: inout RouteTable) {
    let products: @Sendable (APIMount) -> HTTPResponse = {
      JSONResponse.shared(200, $0.app.shop.catalog.snapshot.productsBody)
    }
    let categories: @Sendable (APIMount) -> HTTPResponse = {
      JSONResponse.encoded(200, $0.app.shop.catalog.snapshot.categoriesJSON)
    }
    router.add(
      .GET, "/products/",
      APIRoute("Product List", .anyone, immediate: products) { try productList($0) })
    router.add(
      .GET, "/products/categories/",
      APIRoute("Category List", .anyone, immediate: categories) { try categoryList($0) })
    router.add(.POST, "/products/create/", "Product Create", .admin, status: 201) { call in
      try await call.app.shop.catalog.createProduct(try call.body(), by: call.caller).json
    }
    router.add(.POST, "/products/categories/create/", "Category Create", .admin, status: 201) {
      call in
      try await call.app.shop.catalog.createCategory(try call.body(), by: call.caller).json
    }
    ProductDetailRoutes.register(into: &router)
    CategoryDetailRoutes.register(into: &router)
  }

  /// `GET /products/?category=&search=&min_price=&max_price=&in_stock=&ordering=&limit=&offset=`.
  static func productList(_ call: RouteCall) throws -> HTTPResponse {
    let snapshot = call.app.shop.catalog.snapshot
    if call.request.query.isEmpty { return JSONResponse.shared(200, snapshot.productsBody) }
    let parameters = try ListResponse.parameters(call)
    let content = snapshot.current
    let query = try ProductQuery(
      parameter: { parameters[$0] }, categoryExists: { content.category(id: $0) != nil })
    let page = ListResponse.pagination(parameters, call)
    let products = content.products
    if query.isDefault {
      guard let page else { return JSONResponse.shared(200, content.productsBody) }
      // A page of the whole list: no position is collected.
      return try ListResponse.make(count: products.count, page: page, call) { range, writer in
        for position in range { products.writeFragment(at: position, to: &writer) }
      }
    }
    // Pages are assembled from the snapshot's per-product encodings, never re-encoded; only
    // the matches' positions are collected.
    let positions = query.positions(in: products)
    return try ListResponse.make(count: positions.count, page: page, call) { range, writer in
      for index in range { products.writeFragment(at: positions[index], to: &writer) }
    }
  }

  /// `GET /products/categories/?search=&ordering=&limit=&offset=`.
  static func categoryList(_ call: RouteCall) throws -> HTTPResponse {
    let snapshot = call.app.shop.catalog.snapshot
    if call.request.query.isEmpty { return JSONResponse.encoded(200, snapshot.categoriesJSON) }
    let parameters = try ListResponse.parameters(call)
    let content = snapshot.current
    let query = CategoryQuery(parameter: { parameters[$0] })
    let page = ListResponse.pagination(parameters, call)
    if page == nil, query.isDefault { return JSONResponse.encoded(200, content.categoriesJSON) }
    return try ListResponse.make(query.apply(to: content.categories), page: page, call) {
      $0.json.encoded()
    }
  }
}
