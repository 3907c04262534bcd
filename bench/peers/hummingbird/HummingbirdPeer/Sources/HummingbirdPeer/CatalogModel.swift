import Foundation

/// A product as API.md shapes it; `price` is a `Decimal` (exact, encoded as a JSON number).
struct Product: Codable, Sendable {
  var id: Int
  var name: String
  var description: String
  var price: Decimal
  var category: Int
  var variants: [Variant]
}

/// One variant of a product.
struct Variant: Codable, Sendable {
  var id: Int
  var size: String
  var color: String
  var stock: Int
}

/// A category: `{id, name}`.
struct Category: Codable, Sendable {
  var id: Int
  var name: String
}

/// The catalog as Codable values, held by one actor: each request takes the arrays from the
/// actor and encodes them with `JSONEncoder`, the way a typical Hummingbird app answers.
actor CatalogModel {
  private let products: [Product]
  private let categories: [Category]

  init(products: [Product], categories: [Category]) {
    self.products = products
    self.categories = categories
  }

  /// Every product, by id.
  func productList() -> [Product] { products }

  /// Every category, by id.
  func categoryList() -> [Category] { categories }
}
