import JSON
import Primitives

/// One accepted mutation, as written to the event log and replayed at startup.
///
/// `type`, `encodeData()` and `init(type:data:)` are the shape EventLog's `LogEvent` asks for, so
/// `extension ShopEvent: LogEvent {}` is all it takes to log them. Two cases exist only for
/// compaction snapshots (`orderRestored`, `sequencesRestored`): they recreate state without
/// moving stock or ids a second time. The catalog-management and idempotency cases (from
/// `productUpdated` on) are encoded in `ShopEvent+Management.swift`; the encodings of the
/// earlier cases never change, so logs written by earlier releases load as they are.
public enum ShopEvent: Sendable, Hashable {
  /// A new account (`isStaff` for `createsuperuser`).
  case userRegistered(User)
  /// A login: the new token's SHA-256 and owner.
  case tokenIssued(TokenRecord)
  /// One token revoked (logout, expiry, or the oldest beyond the per-user limit).
  case tokenRevoked(digest: String)
  /// Logout from all sessions: the user's tokens live at that moment.
  case allTokensRevoked(userId: Int, digests: [String])
  case categoryCreated(Category)
  /// A product with its variants and their initial stock.
  case productCreated(Product)
  /// An order (status `created`), its price snapshot and the stock it takes (negative deltas).
  case orderPlaced(Order, stock: [StockDelta])
  /// A status change; `stock` holds what a cancellation gives back (positive deltas).
  case orderStatusChanged(
    orderId: Int, status: OrderStatus, updatedAt: Timestamp, stock: [StockDelta])
  /// Snapshot only: an order as it stands, stock untouched.
  case orderRestored(Order)
  /// Snapshot only: the next id of every kind, so ids are never reused after compaction.
  case sequencesRestored(ShopSequences)
  /// `PATCH /products/<id>/`: the fields sent, with their new values.
  case productUpdated(productId: Int, ProductChanges)
  /// `DELETE /products/<id>/`: the product and its variants leave the catalog.
  case productDeleted(productId: Int)
  /// `POST /products/<id>/variants/`: a new variant with its initial stock.
  case variantAdded(productId: Int, Variant)
  /// `PATCH /products/<id>/variants/<vid>/`: size and color changes (stock goes as
  /// `stockAdjusted`).
  case variantUpdated(productId: Int, variantId: Int, VariantChanges)
  /// A stock change of one variant by an admin (`stock` or `stock_delta`), as a delta so that
  /// it commutes with the deltas of concurrent orders.
  case stockAdjusted(StockDelta)
  /// `PATCH /products/categories/<id>/`: the category with its new name.
  case categoryUpdated(Category)
  /// `DELETE /products/categories/<id>/` (only when no product is in it).
  case categoryDeleted(categoryId: Int)
  /// The stored answer to a `POST /orders/` with an `Idempotency-Key` (with the `orderPlaced`
  /// it answers, in the same batch, for a 201).
  case idempotencyRecorded(IdempotencyRecord)

  /// The log line's `"type"`.
  public var type: String {
    switch self {
    case .userRegistered: "userRegistered"
    case .tokenIssued: "tokenIssued"
    case .tokenRevoked: "tokenRevoked"
    case .allTokensRevoked: "allTokensRevoked"
    case .categoryCreated: "categoryCreated"
    case .productCreated: "productCreated"
    case .orderPlaced: "orderPlaced"
    case .orderStatusChanged: "orderStatusChanged"
    case .orderRestored: "orderRestored"
    case .sequencesRestored: "sequencesRestored"
    case .productUpdated: "productUpdated"
    case .productDeleted: "productDeleted"
    case .variantAdded: "variantAdded"
    case .variantUpdated: "variantUpdated"
    case .stockAdjusted: "stockAdjusted"
    case .categoryUpdated: "categoryUpdated"
    case .categoryDeleted: "categoryDeleted"
    case .idempotencyRecorded: "idempotencyRecorded"
    }
  }

  /// The log line's `"data"`.
  public func encodeData() -> JSONValue {
    switch self {
    case .userRegistered(let user):
      .object([
        "id": .int(user.id), "username": .string(user.username), "email": .string(user.email),
        "password": .string(user.passwordHash), "is_staff": .bool(user.isStaff),
        "date_joined": .string(user.dateJoined.description),
      ])
    case .tokenIssued(let token):
      .object([
        "digest": .string(token.digest), "user_id": .int(token.userId),
        "created_at": .string(token.createdAt.description),
      ])
    case .tokenRevoked(let digest):
      .object(["digest": .string(digest)])
    case .allTokensRevoked(let userId, let digests):
      .object(["user_id": .int(userId), "digests": .array(digests.map { .string($0) })])
    case .categoryCreated(let category):
      category.json
    case .productCreated(let product):
      product.json
    case .orderPlaced(let order, let stock):
      .object([
        "id": .int(order.id), "user": .int(order.userId), "user_name": .string(order.userName),
        "created_at": .string(order.createdAt.description),
        "items": .array(order.items.map(\.json)), "stock": Self.encode(stock),
      ])
    case .orderStatusChanged(let orderId, let status, let updatedAt, let stock):
      .object([
        "id": .int(orderId), "status": .string(status.rawValue),
        "updated_at": .string(updatedAt.description), "stock": Self.encode(stock),
      ])
    case .orderRestored(let order):
      order.json
    case .sequencesRestored(let sequences):
      .object([
        "user": .int(sequences.nextUserId), "category": .int(sequences.nextCategoryId),
        "product": .int(sequences.nextProductId), "variant": .int(sequences.nextVariantId),
        "order": .int(sequences.nextOrderId), "order_item": .int(sequences.nextOrderItemId),
      ])
    case .productUpdated(let productId, let changes):
      Self.encodeProductUpdate(productId, changes)
    case .productDeleted(let productId):
      .object(["id": .int(productId)])
    case .variantAdded(let productId, let variant):
      Self.encodeVariantAdded(productId, variant)
    case .variantUpdated(let productId, let variantId, let changes):
      Self.encodeVariantUpdate(productId, variantId, changes)
    case .stockAdjusted(let change):
      .object(["variant": .int(change.variantId), "delta": .int(change.delta)])
    case .categoryUpdated(let category):
      category.json
    case .categoryDeleted(let categoryId):
      .object(["id": .int(categoryId)])
    case .idempotencyRecorded(let record):
      record.json
    }
  }

  private static func encode(_ stock: [StockDelta]) -> JSONValue {
    .array(stock.map { .object(["variant": .int($0.variantId), "delta": .int($0.delta)]) })
  }

  /// Decodes a log line's `type` and `data`.
  ///
  /// - Throws: `ShopEventDecodingError` naming the unknown type or the bad member.
  public init(type: String, data: JSONValue) throws {
    let fields = EventFields(data, type: type)
    switch type {
    case "userRegistered":
      self = .userRegistered(
        User(
          id: try fields.int("id"), username: try fields.string("username"),
          email: try fields.string("email"), passwordHash: try fields.string("password"),
          isStaff: try fields.bool("is_staff"), dateJoined: try fields.timestamp("date_joined")))
    case "tokenIssued":
      self = .tokenIssued(
        TokenRecord(
          digest: try fields.string("digest"), userId: try fields.int("user_id"),
          createdAt: try fields.timestamp("created_at")))
    case "tokenRevoked":
      self = .tokenRevoked(digest: try fields.string("digest"))
    case "allTokensRevoked":
      self = .allTokensRevoked(
        userId: try fields.int("user_id"),
        digests: try fields.array("digests").map { try EventFields($0, type: type).text() })
    case "categoryCreated":
      self = .categoryCreated(Category(id: try fields.int("id"), name: try fields.string("name")))
    case "productCreated":
      self = .productCreated(try Self.decodeProduct(fields))
    case "orderPlaced":
      let createdAt = try fields.timestamp("created_at")
      let order = Order(
        id: try fields.int("id"), userId: try fields.int("user"),
        userName: try fields.string("user_name"), status: .created,
        items: try Self.decodeItems(fields), createdAt: createdAt, updatedAt: createdAt)
      self = .orderPlaced(order, stock: try Self.decodeStock(fields))
    case "orderStatusChanged":
      self = .orderStatusChanged(
        orderId: try fields.int("id"), status: try fields.status("status"),
        updatedAt: try fields.timestamp("updated_at"), stock: try Self.decodeStock(fields))
    case "orderRestored":
      self = .orderRestored(
        Order(
          id: try fields.int("id"), userId: try fields.int("user"),
          userName: try fields.string("user_name"), status: try fields.status("status"),
          items: try Self.decodeItems(fields), createdAt: try fields.timestamp("created_at"),
          updatedAt: try fields.timestamp("updated_at")))
    case "sequencesRestored":
      self = .sequencesRestored(
        ShopSequences(
          nextUserId: try fields.int("user"), nextCategoryId: try fields.int("category"),
          nextProductId: try fields.int("product"), nextVariantId: try fields.int("variant"),
          nextOrderId: try fields.int("order"), nextOrderItemId: try fields.int("order_item")))
    default:
      guard let event = try Self.decodeManagement(type: type, fields) else {
        throw ShopEventDecodingError(type: type, reason: "unknown event type")
      }
      self = event
    }
  }

  static func decodeProduct(_ fields: EventFields) throws -> Product {
    Product(
      id: try fields.int("id"), name: try fields.string("name"),
      description: try fields.string("description"), price: try fields.money("price"),
      categoryId: try fields.int("category"),
      variants: try fields.array("variants").map { value in
        let variant = EventFields(value, type: fields.type)
        return Variant(
          id: try variant.int("id"), size: try variant.string("size"),
          color: try variant.string("color"), stock: try variant.int("stock"))
      })
  }

  private static func decodeItems(_ fields: EventFields) throws -> [OrderItem] {
    try fields.array("items").map { value in
      let item = EventFields(value, type: fields.type)
      return OrderItem(
        id: try item.int("id"), productId: try item.int("product"),
        variantId: try item.optionalInt("variant"), quantity: try item.int("quantity"),
        price: try item.money("price"))
    }
  }

  private static func decodeStock(_ fields: EventFields) throws -> [StockDelta] {
    try fields.array("stock").map { value in
      let delta = EventFields(value, type: fields.type)
      return StockDelta(variantId: try delta.int("variant"), delta: try delta.int("delta"))
    }
  }
}

/// The next id of every kind of record.
public struct ShopSequences: Sendable, Hashable {
  public var nextUserId = 1
  public var nextCategoryId = 1
  public var nextProductId = 1
  public var nextVariantId = 1
  public var nextOrderId = 1
  public var nextOrderItemId = 1

  public init(
    nextUserId: Int = 1, nextCategoryId: Int = 1, nextProductId: Int = 1, nextVariantId: Int = 1,
    nextOrderId: Int = 1, nextOrderItemId: Int = 1
  ) {
    self.nextUserId = nextUserId
    self.nextCategoryId = nextCategoryId
    self.nextProductId = nextProductId
    self.nextVariantId = nextVariantId
    self.nextOrderId = nextOrderId
    self.nextOrderItemId = nextOrderItemId
  }
}

/// A log line whose `type` or `data` is not a valid `ShopEvent`.
public struct ShopEventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
  public var type: String
  public var reason: String

  public var description: String { "cannot decode \(type) event: \(reason)" }
}

/// Typed access to the members of an event's data.
struct EventFields {
  let value: JSONValue
  let type: String

  init(_ value: JSONValue, type: String) {
    self.value = value
    self.type = type
  }

  func member(_ key: String) throws -> JSONValue {
    guard let member = value[key] else { throw failure("missing \"\(key)\"") }
    return member
  }

  func failure(_ reason: String) -> ShopEventDecodingError {
    ShopEventDecodingError(type: type, reason: reason)
  }

  /// `key`'s value as `convert` reads it: `"<key>" is not <what>` when it reads nil.
  private func read<T>(_ key: String, as what: String, _ convert: (JSONValue) -> T?) throws -> T {
    guard let value = convert(try member(key)) else { throw failure("\"\(key)\" is not \(what)") }
    return value
  }

  /// `key`'s string as `parse` reads it: `"<key>" is not <what>` when it reads nil.
  private func parsed<T>(_ key: String, as what: String, _ parse: (String) -> T?) throws -> T {
    guard let value = parse(try string(key)) else { throw failure("\"\(key)\" is not \(what)") }
    return value
  }

  func int(_ key: String) throws -> Int {
    try read(key, as: "an integer") { $0.intValue }
  }

  func optionalInt(_ key: String) throws -> Int? {
    let member = try member(key)
    if member == .null { return nil }
    guard let number = member.intValue else { throw failure("\"\(key)\" is not an integer") }
    return number
  }

  func string(_ key: String) throws -> String {
    try read(key, as: "a string") { $0.stringValue }
  }

  func text() throws -> String {
    guard let text = value.stringValue else { throw failure("expected a string") }
    return text
  }

  func bool(_ key: String) throws -> Bool {
    try read(key, as: "a bool") { if case .bool(let flag) = $0 { flag } else { nil } }
  }

  func array(_ key: String) throws -> [JSONValue] {
    try read(key, as: "a list") { if case .array(let items) = $0 { items } else { nil } }
  }

  func timestamp(_ key: String) throws -> Timestamp {
    try parsed(key, as: "a timestamp", Timestamp.init(iso8601:))
  }

  func money(_ key: String) throws -> Money {
    try read(key, as: "an amount") { $0.numberLiteral.flatMap(Money.init(literal:)) }
  }

  func status(_ key: String) throws -> OrderStatus {
    try parsed(key, as: "an order status", OrderStatus.init(rawValue:))
  }
}
