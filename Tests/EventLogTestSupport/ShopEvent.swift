import EventLog
import JSON

/// A small shop's events, shaped like Storefront's, for tests and benchmarks.
public enum ShopEvent: LogEvent, Equatable {
  case userRegistered(id: Int, email: String, name: String)
  case productCreated(id: Int, name: String, price: String, stock: Int)
  case orderPlaced(Order)
  case orderStatusChanged(orderID: Int, status: String)
  /// Sets a product's stock outright (written by snapshots).
  case stockSet(productID: Int, stock: Int)

  public struct Order: Sendable, Equatable {
    public var id: Int
    public var userID: Int
    public var items: [Item]
    public var total: String
    public var status: String
    public var shipping: Address

    public init(
      id: Int, userID: Int, items: [Item], total: String, status: String, shipping: Address
    ) {
      self.id = id
      self.userID = userID
      self.items = items
      self.total = total
      self.status = status
      self.shipping = shipping
    }
  }

  public struct Item: Sendable, Equatable {
    public var productID: Int
    public var variantID: Int
    public var quantity: Int
    public var unitPrice: String

    public init(productID: Int, variantID: Int, quantity: Int, unitPrice: String) {
      self.productID = productID
      self.variantID = variantID
      self.quantity = quantity
      self.unitPrice = unitPrice
    }
  }

  public struct Address: Sendable, Equatable {
    public var name: String
    public var city: String
    public var postcode: String

    public init(name: String, city: String, postcode: String) {
      self.name = name
      self.city = city
      self.postcode = postcode
    }
  }

  public struct ShapeError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
  }

  public var type: String {
    switch self {
    case .userRegistered: "userRegistered"
    case .productCreated: "productCreated"
    case .orderPlaced: "orderPlaced"
    case .orderStatusChanged: "orderStatusChanged"
    case .stockSet: "stockSet"
    }
  }

  public func encodeData() -> JSONValue {
    switch self {
    case .userRegistered(let id, let email, let name):
      return .object(["id": .int(id), "email": .string(email), "name": .string(name)])
    case .productCreated(let id, let name, let price, let stock):
      return .object([
        "id": .int(id), "name": .string(name), "price": .number(price), "stock": .int(stock),
      ])
    case .orderPlaced(let order):
      return .object([
        "id": .int(order.id), "userId": .int(order.userID),
        "items": .array(
          order.items.map {
            .object([
              "productId": .int($0.productID), "variantId": .int($0.variantID),
              "quantity": .int($0.quantity), "unitPrice": .number($0.unitPrice),
            ])
          }),
        "total": .number(order.total), "status": .string(order.status),
        "shipping": .object([
          "name": .string(order.shipping.name), "city": .string(order.shipping.city),
          "postcode": .string(order.shipping.postcode),
        ]),
      ])
    case .orderStatusChanged(let orderID, let status):
      return .object(["orderId": .int(orderID), "status": .string(status)])
    case .stockSet(let productID, let stock):
      return .object(["productId": .int(productID), "stock": .int(stock)])
    }
  }

  public init(type: String, data: JSONValue) throws {
    func int(_ value: JSONValue?, _ name: String) throws -> Int {
      guard let number = value?.intValue else { throw ShapeError(description: "\(name): int") }
      return number
    }
    func string(_ value: JSONValue?, _ name: String) throws -> String {
      guard let text = value?.stringValue else { throw ShapeError(description: "\(name): text") }
      return text
    }
    func number(_ value: JSONValue?, _ name: String) throws -> String {
      guard let text = value?.numberLiteral else {
        throw ShapeError(description: "\(name): number")
      }
      return text
    }
    switch type {
    case "userRegistered":
      self = .userRegistered(
        id: try int(data["id"], "id"), email: try string(data["email"], "email"),
        name: try string(data["name"], "name"))
    case "productCreated":
      self = .productCreated(
        id: try int(data["id"], "id"), name: try string(data["name"], "name"),
        price: try number(data["price"], "price"), stock: try int(data["stock"], "stock"))
    case "orderPlaced":
      guard case .array(let rawItems)? = data["items"] else {
        throw ShapeError(description: "items: array")
      }
      let items = try rawItems.map {
        Item(
          productID: try int($0["productId"], "productId"),
          variantID: try int($0["variantId"], "variantId"),
          quantity: try int($0["quantity"], "quantity"),
          unitPrice: try number($0["unitPrice"], "unitPrice"))
      }
      let shipping = data["shipping"]
      self = .orderPlaced(
        Order(
          id: try int(data["id"], "id"), userID: try int(data["userId"], "userId"),
          items: items, total: try number(data["total"], "total"),
          status: try string(data["status"], "status"),
          shipping: Address(
            name: try string(shipping?["name"], "name"),
            city: try string(shipping?["city"], "city"),
            postcode: try string(shipping?["postcode"], "postcode"))))
    case "orderStatusChanged":
      self = .orderStatusChanged(
        orderID: try int(data["orderId"], "orderId"), status: try string(data["status"], "status"))
    case "stockSet":
      self = .stockSet(
        productID: try int(data["productId"], "productId"), stock: try int(data["stock"], "stock"))
    default:
      throw ShapeError(description: "unknown event type \(type)")
    }
  }
}

extension ShopEvent {
  /// A deterministic, varied event for position `index` (1-based): users, products, orders
  /// (about 250 bytes of data) and status changes, with some non-ASCII text.
  public static func sample(_ index: Int) -> ShopEvent {
    switch index % 10 {
    case 1:
      return .userRegistered(id: index, email: "user\(index)@example.com", name: "Zoë \(index)")
    case 2:
      return .productCreated(id: index % 50, name: "Mug “\(index)”", price: "19.99", stock: 1000)
    case 5:
      return .orderStatusChanged(orderID: index - 1, status: "shipped")
    default:
      return order(index)
    }
  }

  /// An order-like event of about 250 bytes of data.
  public static func order(_ index: Int) -> ShopEvent {
    .orderPlaced(
      Order(
        id: index, userID: 1000 + index % 977,
        items: [
          Item(productID: index % 50, variantID: index % 7, quantity: 2, unitPrice: "19.99"),
          Item(productID: (index + 3) % 50, variantID: 1, quantity: 1, unitPrice: "5.00"),
        ],
        total: "44.98", status: "placed",
        shipping: Address(name: "Ada Lovelace", city: "London", postcode: "N1 \(index % 10)GU")))
  }
}
