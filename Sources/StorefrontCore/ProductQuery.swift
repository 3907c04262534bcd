/// The query parameters of `GET /products/`, as django-filter and DRF's filters read them:
/// `category`, `search`, `min_price`, `max_price`, `in_stock`, `ordering`.
///
/// An empty value is no filter. Bad values are a 400 listing each bad parameter:
/// `{"category": ["Select a valid choice. ..."], "min_price": ["Enter a number."]}`.
///
/// ```swift
/// let query = try ProductQuery(parameter: { params[$0] }, categoryExists: { ids.contains($0) })
/// let page = query.apply(to: snapshot.current.products)
/// ```
///
/// Cost: one pass over the products (each filter is a check per product; `search` reads each
/// name and description once per term, linearly), then a sort of the matches when `ordering`
/// is other than `id`/`-id`.
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

  /// Whether `product` passes every filter.
  public func matches(_ product: Product) -> Bool {
    if let categoryId, product.categoryId != categoryId { return false }
    if let minPrice, product.price.cents < minPrice.lowerCents { return false }
    if let maxPrice, product.price.cents > maxPrice.upperCents { return false }
    if let inStock {
      let stocked = product.variants.isEmpty || product.variants.contains { $0.stock > 0 }
      if stocked != inStock { return false }
    }
    return searchTerms.isEmpty
      || ListQuery.matches(searchTerms, product.name, product.description)
  }

  /// The products (given in ascending id order) that match, in the requested order.
  public func apply(to products: [Product]) -> [Product] {
    let filtered =
      categoryId == nil && minPrice == nil && maxPrice == nil && inStock == nil
        && searchTerms.isEmpty ? products : products.filter(matches)
    return ListQuery.sorted(
      filtered, by: ordering, id: \.id, isIdField: { $0 == .id },
      compare: { lhs, rhs, field in
        switch field {
        case .id: ListQuery.compare(lhs.id, rhs.id)
        case .name: ListQuery.compareText(lhs.name, rhs.name)
        case .price: ListQuery.compare(lhs.price, rhs.price)
        }
      })
  }
}
