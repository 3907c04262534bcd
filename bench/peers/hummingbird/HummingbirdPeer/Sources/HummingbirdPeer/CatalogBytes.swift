import NIOCore

/// The catalog's response bodies, exactly as Storefront served them, held by one actor:
/// every request awaits the actor for its bytes, as an app with an in-memory cache would.
actor CatalogBytes {
  private let products: ByteBuffer
  private let categories: ByteBuffer

  init(products: ByteBuffer, categories: ByteBuffer) {
    self.products = products
    self.categories = categories
  }

  /// The body of `GET /api/products/`.
  func productList() -> ByteBuffer { products }

  /// The body of `GET /api/products/categories/`.
  func categoryList() -> ByteBuffer { categories }
}
