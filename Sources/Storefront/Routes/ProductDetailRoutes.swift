import EventHTTP
import JSON
import StorefrontCore

/// `/products/<id>/` (detail, change, delete) and its variants: `/products/<id>/variants/`
/// (add) and `/products/<id>/variants/<vid>/` (change, stock).
///
/// As DRF's `get_object()`, an unknown id is a 404 before the body is read: the service checks
/// the id, then evaluates its `body` argument (an autoclosure).
enum ProductDetailRoutes {
  static func register(into router: inout RouteTable) {
    let detail = "/products/<int:id>/"
    router.add(
      .GET, detail,
      APIRoute("Product Detail", .anyone) { call in
        guard let product = call.app.shop.catalog.snapshot.product(id: try call.id(0)) else {
          throw ShopError.productNotFound
        }
        return JSONResponse.make(200, product.json)
      })
    router.add(
      .PATCH, detail,
      APIRoute("Product Detail", .admin) { call in
        let product = try await call.app.shop.catalog.updateProduct(
          id: try call.id(0), try call.body(), by: call.caller)
        return JSONResponse.make(200, product.json)
      })
    router.add(
      .DELETE, detail,
      APIRoute("Product Detail", .admin) { call in
        try await call.app.shop.catalog.deleteProduct(id: try call.id(0), by: call.caller)
        return noContent
      })
    router.add(
      .POST, "/products/<int:id>/variants/",
      APIRoute("Variant Create", .admin) { call in
        let variant = try await call.app.shop.catalog.addVariant(
          productId: try call.id(0), try call.body(), by: call.caller)
        return JSONResponse.make(201, variant.json)
      })
    router.add(
      .PATCH, "/products/<int:id>/variants/<int:vid>/",
      APIRoute("Variant Detail", .admin) { call in
        let variant = try await call.app.shop.catalog.updateVariant(
          productId: try call.id(0), variantId: try call.id(1), try call.body(), by: call.caller)
        return JSONResponse.make(200, variant.json)
      })
  }

  /// DRF's 204: no body and no `Content-Type`.
  static let noContent = HTTPResponse(status: 204)
}

/// `/products/categories/<id>/`: detail, rename, delete.
enum CategoryDetailRoutes {
  static func register(into router: inout RouteTable) {
    let detail = "/products/categories/<int:id>/"
    router.add(
      .GET, detail,
      APIRoute("Category Detail", .anyone) { call in
        guard let category = call.app.shop.catalog.snapshot.category(id: try call.id(0)) else {
          throw ShopError.categoryNotFound
        }
        return JSONResponse.make(200, category.json)
      })
    router.add(
      .PATCH, detail,
      APIRoute("Category Detail", .admin) { call in
        let category = try await call.app.shop.catalog.updateCategory(
          id: try call.id(0), try call.body(), by: call.caller)
        return JSONResponse.make(200, category.json)
      })
    router.add(
      .DELETE, detail,
      APIRoute("Category Detail", .admin) { call in
        try await call.app.shop.catalog.deleteCategory(id: try call.id(0), by: call.caller)
        return ProductDetailRoutes.noContent
      })
  }
}
