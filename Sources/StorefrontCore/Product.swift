import JSON

/// A product with its variants (sizes/colors, each with its own stock).
public struct Product: Sendable, Hashable, Identifiable {
  public var id: Int
  /// At most 200 characters.
  public var name: String
  public var description: String
  /// Unit price.
  public var price: Money
  /// The category id.
  public var categoryId: Int
  /// Variants by ascending id.
  public var variants: [Variant]

  public init(
    id: Int, name: String, description: String, price: Money, categoryId: Int,
    variants: [Variant]
  ) {
    self.id = id
    self.name = name
    self.description = description
    self.price = price
    self.categoryId = categoryId
    self.variants = variants
  }

  /// `{"id", "name", "description", "price", "category", "variants": [...]}`.
  public var json: JSONValue {
    .object([
      "id": .int(id), "name": .string(name), "description": .string(description),
      "price": price.jsonValue, "category": .int(categoryId),
      "variants": .array(variants.map(\.json)),
    ])
  }
}

/// One orderable variant of a product. Ordering it decrements `stock`.
public struct Variant: Sendable, Hashable, Identifiable {
  public var id: Int
  /// At most 50 characters; may be empty.
  public var size: String
  /// At most 50 characters; may be empty.
  public var color: String
  /// Units available, `>= 0`.
  public var stock: Int

  public init(id: Int, size: String, color: String, stock: Int) {
    self.id = id
    self.size = size
    self.color = color
    self.stock = stock
  }

  /// `{"id", "size", "color", "stock"}`.
  public var json: JSONValue {
    .object([
      "id": .int(id), "size": .string(size), "color": .string(color), "stock": .int(stock),
    ])
  }
}
