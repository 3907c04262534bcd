import EventHTTP
import JSON

/// `/products/...`: the catalog. Lists are served from the pre-encoded snapshot.
enum CatalogRoutes {
  static func register(into router: inout Router<APIRoute>) {
    let products: @Sendable (StorefrontApp) -> HTTPResponse = {
      JSONResponse.encoded(200, $0.shop.catalog.snapshot.productsJSON)
    }
    let categories: @Sendable (StorefrontApp) -> HTTPResponse = {
      JSONResponse.encoded(200, $0.shop.catalog.snapshot.categoriesJSON)
    }
    router.add(
      .GET, "/products/",
      APIRoute("Product List", .anyone, immediate: products) { products($0.app) })
    router.add(
      .GET, "/products/categories/",
      APIRoute("Category List", .anyone, immediate: categories) { categories($0.app) })
    router.add(
      .POST, "/products/create/",
      APIRoute("Product Create", .admin) { call in
        let product = try await call.app.shop.catalog.createProduct(
          try call.body(), by: call.caller)
        return JSONResponse.make(201, product.json)
      })
    router.add(
      .POST, "/products/categories/create/",
      APIRoute("Category Create", .admin) { call in
        let category = try await call.app.shop.catalog.createCategory(
          try call.body(), by: call.caller)
        return JSONResponse.make(201, category.json)
      })
  }
}
