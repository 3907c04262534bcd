import JSON
import Primitives

/// An order's lifecycle. `delivered` and `cancelled` are terminal.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
  case created, paid, shipped, delivered, cancelled

  /// Whether no further status change is allowed.
  public var isTerminal: Bool { self == .delivered || self == .cancelled }
}

/// A placed order with the unit prices it was placed at.
public struct Order: Sendable, Hashable, Identifiable {
  public var id: Int
  public var userId: Int
  /// The ordering user's username (usernames never change).
  public var userName: String
  public var status: OrderStatus
  public var items: [OrderItem]
  public var createdAt: Timestamp
  public var updatedAt: Timestamp

  public init(
    id: Int, userId: Int, userName: String, status: OrderStatus, items: [OrderItem],
    createdAt: Timestamp, updatedAt: Timestamp
  ) {
    self.id = id
    self.userId = userId
    self.userName = userName
    self.status = status
    self.items = items
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }

  /// `{"id", "user", "user_name", "status", "items", "created_at", "updated_at"}`.
  public var json: JSONValue {
    .object([
      "id": .int(id), "user": .int(userId), "user_name": .string(userName),
      "status": .string(status.rawValue), "items": .array(items.map(\.json)),
      "created_at": .string(createdAt.description), "updated_at": .string(updatedAt.description),
    ])
  }

  /// The body of a status update: `{"id", "status"}`.
  public var statusJSON: JSONValue {
    .object(["id": .int(id), "status": .string(status.rawValue)])
  }

  /// The stock each variant item holds: what cancelling gives back.
  var reservedStock: [StockDelta] {
    items.compactMap { item in
      item.variantId.map { StockDelta(variantId: $0, delta: item.quantity) }
    }
  }
}

/// One line of an order.
public struct OrderItem: Sendable, Hashable, Identifiable {
  public var id: Int
  public var productId: Int
  /// `nil` when the product was ordered without a variant.
  public var variantId: Int?
  public var quantity: Int
  /// The product's unit price when ordered.
  public var price: Money

  public init(id: Int, productId: Int, variantId: Int?, quantity: Int, price: Money) {
    self.id = id
    self.productId = productId
    self.variantId = variantId
    self.quantity = quantity
    self.price = price
  }

  /// `{"id", "product", "variant", "quantity", "price"}`.
  public var json: JSONValue {
    .object([
      "id": .int(id), "product": .int(productId), "variant": variantId.map { .int($0) } ?? .null,
      "quantity": .int(quantity), "price": price.jsonValue,
    ])
  }
}

/// A change of one variant's stock, carried by the events that move stock.
public struct StockDelta: Sendable, Hashable {
  public var variantId: Int
  /// Negative when stock is taken (order), positive when given back (cancel).
  public var delta: Int

  public init(variantId: Int, delta: Int) {
    self.variantId = variantId
    self.delta = delta
  }
}
