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
    CatalogDetailRoutes.register(
      into: &router, "/products/<int:id>/", "Product Detail", missing: .productNotFound,
      find: { $0.product(id: $1)?.json },
      update: { try await $0.updateProduct(id: $1, try $2.body(), by: $2.caller).json },
      delete: { try await $0.deleteProduct(id: $1, by: $2.caller) })
    router.add(.POST, "/products/<int:id>/variants/", "Variant Create", .admin, status: 201) {
      call in
      try await call.app.shop.catalog.addVariant(
        productId: try call.id(0), try call.body(), by: call.caller
      ).json
    }
    router.add(.PATCH, "/products/<int:id>/variants/<int:vid>/", "Variant Detail", .admin) {
      call in
      try await call.app.shop.catalog.updateVariant(
        productId: try call.id(0), variantId: try call.id(1), try call.body(), by: call.caller
      ).json
    }
  }
}

/// `/products/categories/<id>/`: detail, rename, delete.
enum CategoryDetailRoutes {
  static func register(into router: inout RouteTable) {
    CatalogDetailRoutes.register(
      into: &router, "/products/categories/<int:id>/", "Category Detail",
      missing: .categoryNotFound, find: { $0.category(id: $1)?.json },
      update: { try await $0.updateCategory(id: $1, try $2.body(), by: $2.caller).json },
      delete: { try await $0.deleteCategory(id: $1, by: $2.caller) })
  }
}
