import JSON

/// What one `PATCH /products/<id>/` changes: only the fields sent (`nil` leaves a field as it
/// is). Logged as such, so two concurrent PATCHes of different fields both take effect.
public struct ProductChanges: Sendable, Hashable {
  public var name: String?
  public var description: String?
  public var price: Money?
  public var categoryId: Int?

  public init(
    name: String? = nil, description: String? = nil, price: Money? = nil, categoryId: Int? = nil
  ) {
    self.name = name
    self.description = description
    self.price = price
    self.categoryId = categoryId
  }

  /// Whether nothing would change.
  public var isEmpty: Bool {
    name == nil && description == nil && price == nil && categoryId == nil
  }

  /// `product` with these changes.
  public func applied(to product: Product) -> Product {
    var product = product
    if let name { product.name = name }
    if let description { product.description = description }
    if let price { product.price = price }
    if let categoryId { product.categoryId = categoryId }
    return product
  }

  /// The members that change, under their API names (`name`, `description`, `price`,
  /// `category`).
  var members: [JSONObject.Member] {
    var members: [JSONObject.Member] = []
    if let name { members.append(JSONObject.Member("name", .string(name))) }
    if let description { members.append(JSONObject.Member("description", .string(description))) }
    if let price { members.append(JSONObject.Member("price", price.jsonValue)) }
    if let categoryId { members.append(JSONObject.Member("category", .int(categoryId))) }
    return members
  }
}

/// What one `PATCH /products/<id>/variants/<vid>/` changes besides stock (stock changes are
/// logged as deltas, ``ShopEvent/stockAdjusted(_:)``).
public struct VariantChanges: Sendable, Hashable {
  public var size: String?
  public var color: String?

  public init(size: String? = nil, color: String? = nil) {
    self.size = size
    self.color = color
  }

  /// Whether nothing would change.
  public var isEmpty: Bool { size == nil && color == nil }

  /// `variant` with these changes.
  public func applied(to variant: Variant) -> Variant {
    var variant = variant
    if let size { variant.size = size }
    if let color { variant.color = color }
    return variant
  }

  var members: [JSONObject.Member] {
    var members: [JSONObject.Member] = []
    if let size { members.append(JSONObject.Member("size", .string(size))) }
    if let color { members.append(JSONObject.Member("color", .string(color))) }
    return members
  }
}
