/// The query parameters of `GET /products/`, as django-filter and DRF's filters read them:
/// `category`, `search`, `min_price`, `max_price`, `in_stock`, `ordering`.
///
/// An empty value is no filter. Bad values are a 400 listing each bad parameter:
/// `{"category": ["Select a valid choice. ..."], "min_price": ["Enter a number."]}`.
///
/// ```swift
/// let query = try ProductQuery(parameter: { params[$0] }, categoryExists: { ids.contains($0) })
/// let positions = query.positions(in: snapshot.current.products)   // in the answer's order
/// ```
///
/// Cost: one pass over the products (each filter is a check per product; `search` scans each
/// block's folded names and descriptions once per term, `memchr`/`memmem`), then a sort of the
/// matches' positions when `ordering` is other than `id`/`-id`.
public struct ProductQuery: Sendable {
  /// The fields of `ordering`.
  public enum Field: Sendable, Hashable { case id, name, price }

  public var categoryId: Int?
  public var searchTerms: [ListQuery.SearchTerm] = []
  public var minPrice: PriceBound?
  public var maxPrice: PriceBound?
  public var inStock: Bool?
  public var ordering: [ListQuery.OrderingTerm<Field>] = []

  static let orderingFields: [String: Field] = ["id": .id, "name": .name, "price": .price]

  /// Reads the parameters through `parameter` (the last value of a name, or nil).
  public init(
    parameter: (String) -> String?, categoryExists: (Int) -> Bool
  ) throws(ShopError) {
    var errors = FieldErrors()
    if let text = parameter("category"), !text.isEmpty {
      if let id = ListQuery.integer(text), categoryExists(id) {
        categoryId = id
      } else {
        errors.add("category", ListQuery.invalidModelChoice)
      }
    }
    for (name, keyPath) in [("min_price", \Self.minPrice), ("max_price", \Self.maxPrice)] {
      guard let text = parameter(name), !text.isEmpty else { continue }
      do {
        self[keyPath: keyPath] = try PriceBound.parse(text)
      } catch {
        errors.add(name, error.messages)
      }
    }
    try errors.throwIfAny()
    inStock = ListQuery.boolean(parameter("in_stock"))
    searchTerms = ListQuery.searchTerms(parameter("search"))
    ordering = ListQuery.ordering(parameter("ordering"), fields: Self.orderingFields)
  }

  /// Whether the answer is the whole list in id order (no filter, default ordering).
  public var isDefault: Bool {
    categoryId == nil && minPrice == nil && maxPrice == nil && inStock == nil
      && searchTerms.isEmpty && (ordering.first.map { $0.field == .id && !$0.descending } ?? true)
  }

  /// Whether `product` passes every filter but `search`.
  func passesFilters(_ product: Product) -> Bool {
    if let categoryId, product.categoryId != categoryId { return false }
    if let minPrice, product.price.cents < minPrice.lowerCents { return false }
    if let maxPrice, product.price.cents > maxPrice.upperCents { return false }
    if let inStock {
      let stocked = product.variants.isEmpty || product.variants.contains { $0.stock > 0 }
      if stocked != inStock { return false }
    }
    return true
  }

  /// Whether `product` passes every filter.
  public func matches(_ product: Product) -> Bool {
    passesFilters(product)
      && (searchTerms.isEmpty || ListQuery.matches(searchTerms, product.name, product.description))
  }

  /// The positions in `products` of the matches, in the requested order: only positions are
  /// collected (no product is copied), `search` runs over each block's folded texts.
  public func positions(in products: ProductList) -> [Int] {
    let filtered =
      categoryId == nil && minPrice == nil && maxPrice == nil && inStock == nil
        && searchTerms.isEmpty
      ? Array(products.indices) : products.positions(matching: searchTerms, where: passesFilters)
    guard let first = ordering.first, first.field != .id else {
      return ordering.first?.descending == true ? filtered.reversed() : filtered
    }
    // Positions order as ids do (the list is by id); the products are read once, not per
    // comparison.
    let keyed = filtered.map { (position: $0, product: products[$0]) }
    return ListQuery.sorted(
      keyed, by: ordering, id: \.position, isIdField: { $0 == .id },
      compare: { lhs, rhs, field in
        switch field {
        case .id: ListQuery.compare(lhs.position, rhs.position)
        case .name: ListQuery.compareText(lhs.product.name, rhs.product.name)
        case .price: ListQuery.compare(lhs.product.price, rhs.product.price)
        }
      }
    ).map(\.position)
  }
}
