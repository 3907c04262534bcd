/// The query parameters of `GET /products/categories/`: `search` (in the name) and `ordering`
/// over `id`, `name`. Never a 400: unknown ordering fields are ignored.
///
/// Cost: one pass over the categories, then a sort when ordering by name.
public struct CategoryQuery: Sendable {
  /// The fields of `ordering`.
  public enum Field: Sendable, Hashable { case id, name }

  public var searchTerms: [ListQuery.SearchTerm] = []
  public var ordering: [ListQuery.OrderingTerm<Field>] = []

  /// Reads the parameters through `parameter` (the last value of a name, or nil).
  public init(parameter: (String) -> String?) {
    searchTerms = ListQuery.searchTerms(parameter("search"))
    ordering = ListQuery.ordering(parameter("ordering"), fields: ["id": .id, "name": .name])
  }

  /// Whether the answer is the whole list in id order (no search, default ordering).
  public var isDefault: Bool {
    searchTerms.isEmpty && (ordering.first.map { $0.field == .id && !$0.descending } ?? true)
  }

  /// The categories (given in ascending id order) that match, in the requested order.
  public func apply(to categories: [Category]) -> [Category] {
    let filtered =
      searchTerms.isEmpty
      ? categories : categories.filter { ListQuery.matches(searchTerms, $0.name) }
    return ListQuery.sorted(
      filtered, by: ordering, id: \.id, isIdField: { $0 == .id },
      compare: { lhs, rhs, _ in ListQuery.compareText(lhs.name, rhs.name) })
  }
}
