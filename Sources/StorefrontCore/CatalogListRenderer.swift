import JSON

/// The renderer's side of ``CatalogSnapshot``: the lists in id order, kept up to date change by
/// change (a binary search per changed product or category, never a sort of the catalog): the
/// products in encoded blocks (``ProductList``: a change re-renders one block), the categories
/// as one array (a few, encoded whole).
struct CatalogListRenderer: Sendable {
  private(set) var products = ProductList([])
  private(set) var categories: [Category] = []

  /// Everything in `state`, once (at start-up).
  init(state: CatalogState) {
    products = ProductList(state.products.values.sorted { $0.id < $1.id })
    categories = state.categories.values.sorted { $0.id < $1.id }
  }

  /// Applies `changes`; returns which lists changed.
  mutating func apply(_ changes: CatalogChanges) -> (products: Bool, categories: Bool) {
    products.apply(changes.products)
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
