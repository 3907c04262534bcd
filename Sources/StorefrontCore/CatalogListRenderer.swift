import JSON

/// The renderer's side of ``CatalogSnapshot``: the lists in id order with each product's
/// encoding, kept up to date change by change (a binary search per changed product, never a
/// sort of the catalog), and the list bodies assembled from them.
struct CatalogListRenderer: Sendable {
  private(set) var products: [Product] = []
  /// `products[i]` encoded, as it appears in `GET /products/` and in pages.
  private(set) var fragments: [[UInt8]] = []
  private(set) var categories: [Category] = []

  /// Everything in `state`, once (at start-up).
  init(state: CatalogState) {
    products = state.products.values.sorted { $0.id < $1.id }
    fragments = products.map { $0.json.encoded() }
    categories = state.categories.values.sorted { $0.id < $1.id }
  }

  /// Applies `changes`; returns which lists changed.
  mutating func apply(_ changes: CatalogChanges) -> (products: Bool, categories: Bool) {
    for (id, product) in changes.products {
      let index = Self.position(of: id, in: products)
      let present = index < products.count && products[index].id == id
      switch (product, present) {
      case (let product?, true):
        if products[index] != product {
          products[index] = product
          fragments[index] = product.json.encoded()
        }
      case (let product?, false):
        products.insert(product, at: index)
        fragments.insert(product.json.encoded(), at: index)
      case (nil, true):
        products.remove(at: index)
        fragments.remove(at: index)
      case (nil, false):
        break
      }
    }
    for (id, category) in changes.categories {
      let index = Self.position(of: id, in: categories)
      let present = index < categories.count && categories[index].id == id
      switch (category, present) {
      case (let category?, true): categories[index] = category
      case (let category?, false): categories.insert(category, at: index)
      case (nil, true): categories.remove(at: index)
      case (nil, false): break
      }
    }
    return (!changes.products.isEmpty, !changes.categories.isEmpty)
  }

  /// The body of `GET /products/`: the fragments, copied one after another.
  func productsBody() -> [UInt8] {
    var writer = JSONWriter(capacity: 2 + fragments.reduce(fragments.count) { $0 + $1.count })
    writer.beginArray()
    for fragment in fragments { writer.raw(fragment) }
    writer.endArray()
    return writer.bytes
  }

  /// The body of `GET /products/categories/`.
  func categoriesBody() -> [UInt8] { JSONValue.array(categories.map(\.json)).encoded() }

  /// Where `id` is, or would be inserted, in an id-ordered list.
  static func position<Element: Identifiable>(of id: Int, in sorted: [Element]) -> Int
  where Element.ID == Int {
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle].id < id { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
