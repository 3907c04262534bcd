/// The query parameters of `GET /orders/`: `status` (django-filter's `ChoiceFilter`) and
/// `ordering` over `id`, `created_at`, `updated_at`.
///
/// Cost: one pass over the caller's orders (all orders for an admin), then a sort when ordering
/// by a timestamp.
public struct OrderQuery: Sendable {
  /// The fields of `ordering`.
  public enum Field: Sendable, Hashable { case id, createdAt, updatedAt }

  public var status: OrderStatus?
  public var ordering: [ListQuery.OrderingTerm<Field>] = []

  /// Reads the parameters through `parameter`; an unknown status is a 400
  /// `{"status": ["Select a valid choice. foo is not one of the available choices."]}`.
  public init(parameter: (String) -> String?) throws(ShopError) {
    if let text = parameter("status"), !text.isEmpty {
      guard let status = OrderStatus(rawValue: text) else {
        throw .validation(
          ValidationError(
            field: "status",
            "Select a valid choice. \(text) is not one of the available choices."))
      }
      self.status = status
    }
    ordering = ListQuery.ordering(
      parameter("ordering"),
      fields: ["id": .id, "created_at": .createdAt, "updated_at": .updatedAt])
  }

  /// The orders (given in ascending id order) that match, in the requested order.
  public func apply(to orders: [Order]) -> [Order] {
    let filtered = status.map { status in orders.filter { $0.status == status } } ?? orders
    return ListQuery.sorted(
      filtered, by: ordering, id: \.id, isIdField: { $0 == .id },
      compare: { lhs, rhs, field in
        switch field {
        case .id: ListQuery.compare(lhs.id, rhs.id)
        case .createdAt: ListQuery.compare(lhs.createdAt, rhs.createdAt)
        case .updatedAt: ListQuery.compare(lhs.updatedAt, rhs.updatedAt)
        }
      })
  }
}
