import JSON
import StorefrontCore

/// The named schemas of the document (`#/components/schemas/...`): every body the API reads
/// and writes, in API.md's shapes and limits.
///
/// What the server writes is described closed (`additionalProperties: false`, every member
/// required), so a member it starts to send, or stops sending, fails the description.
enum OpenAPISchemas {
  typealias S = JSONSchema

  static let statuses = OrderStatus.allCases.map(\.rawValue)
  static let largestQuantity = 2_147_483_647
  /// Any id in a body: a positive integer.
  static let id = S.integer(minimum: 1)

  static let all: KeyValuePairs<String, JSONValue> = [
    // Written by the server.
    "Variant": S.object(
      [
        "id": id, "size": S.string(maxLength: 50), "color": S.string(maxLength: 50),
        "stock": S.integer(minimum: 0),
      ], required: ["id", "size", "color", "stock"]),
    "Product": S.object(
      [
        "id": id, "name": S.string(maxLength: 200), "description": S.string(),
        "price": S.ref("Price"), "category": id, "variants": S.array(S.ref("Variant")),
      ], required: ["id", "name", "description", "price", "category", "variants"]),
    "Price": S.members([
      ("type", .string("number")), ("minimum", .int(0)),
      ("description", .string("Exact decimal, at most 10 digits of which 2 after the point.")),
    ]),
    "Category": S.object(
      ["id": id, "name": S.string(maxLength: 100)], required: ["id", "name"]),
    "OrderItem": S.object(
      [
        "id": id, "product": id, "variant": S.nullable(id),
        "quantity": S.integer(minimum: 1), "price": S.ref("Price"),
      ], required: ["id", "product", "variant", "quantity", "price"]),
    "OrderStatus": S.enumeration(statuses),
    "Order": S.object(
      [
        "id": id, "user": id, "user_name": S.string(), "status": S.ref("OrderStatus"),
        "items": S.array(S.ref("OrderItem")),
        "created_at": S.string(format: "date-time", description: "UTC, microseconds, `Z`."),
        "updated_at": S.string(format: "date-time"),
      ], required: ["id", "user", "user_name", "status", "items", "created_at", "updated_at"]),
    "OrderStatusChange": S.object(
      ["id": id, "status": S.ref("OrderStatus")], required: ["id", "status"]),
    "Registration": S.object(
      ["id": id, "username": S.string(), "email": S.string()],
      required: ["id", "username", "email"]),
    "Login": S.object(
      [
        "token": S.string(pattern: "^[0-9a-f]{40}$"), "user_id": id, "username": S.string(),
      ], required: ["token", "user_id", "username"]),
    "Message": S.object(["message": S.string()], required: ["message"]),
    "ProductPage": page("Product"),
    "CategoryPage": page("Category"),
    "OrderPage": page("Order"),
    "Health": S.object(["status": S.constant("ok")], required: ["status"]),
    "Ready": S.object(["status": S.constant("ready")], required: ["status"]),
    "NotReady": S.object(
      ["status": S.constant("unavailable"), "reason": S.string()],
      required: ["status", "reason"]),
    "OpenAPI": S.object(
      ["openapi": S.string(), "info": S.map(S.any), "paths": S.map(S.any)],
      required: ["openapi", "info", "paths"], closed: false),
    // Errors.
    "Detail": S.object(["detail": S.string()], required: ["detail"]),
    "FieldErrors": S.map(
      S.anyOf([messages, S.map(S.anyOf([messages, S.map(S.anyOf([messages, S.map(messages)]))]))]),
      minProperties: 1),
    // Read by the server.
    "PriceInput": S.anyOf([
      S.members([
        ("type", .string("number")), ("minimum", .int(0)), ("maximum", .number("99999999.99")),
        ("multipleOf", .number("0.01")),
      ]),
      S.string(pattern: #"^[0-9]{1,8}(\.[0-9]{1,2})?$"#),
    ]),
    "RegisterInput": S.object(
      [
        "username": S.string(
          minLength: 1, maxLength: 150, pattern: #"^[\w.@+-]+$"#,
          description: "Letters, digits and `@.+-_`; unique."),
        "email": S.string(maxLength: 254, format: "email"),
        "password": text(minLength: 8, blank: true),
      ], required: ["username", "email", "password"], closed: false),
    "LoginInput": S.object(
      ["username": text(), "password": text(blank: true)], required: ["username", "password"],
      closed: false),
    "CategoryInput": S.object(
      ["name": text(maxLength: 100, description: "Unique.")], required: ["name"], closed: false),
    "CategoryChange": S.object(
      ["name": text(maxLength: 100, description: "Unique.")], required: [], closed: false),
    "VariantInput": S.object(
      [
        "size": text(maxLength: 50, blank: true), "color": text(maxLength: 50, blank: true),
        "stock": S.integer(minimum: 0, maximum: largestQuantity),
      ], required: [], closed: false),
    "VariantChange": S.members([
      ("type", .string("object")),
      (
        "properties",
        .object([
          "size": text(maxLength: 50, blank: true), "color": text(maxLength: 50, blank: true),
          "stock": S.integer(minimum: 0, maximum: largestQuantity),
          "stock_delta": S.integer(description: "Added to the stock atomically; may be negative."),
        ])
      ),
      ("not", .object(["required": .array([.string("stock"), .string("stock_delta")])])),
      ("description", .string("Either `stock` or `stock_delta`, not both.")),
    ]),
    "ProductInput": S.object(
      [
        "name": text(maxLength: 200), "description": text(blank: true),
        "price": S.ref("PriceInput"), "category": S.integer(minimum: 1),
        "variants": S.array(S.ref("VariantInput")),
      ], required: ["name", "price", "category"], closed: false),
    "ProductChange": S.object(
      [
        "name": text(maxLength: 200), "description": text(blank: true),
        "price": S.ref("PriceInput"), "category": S.integer(minimum: 1),
      ], required: [], closed: false),
    "OrderItemInput": S.object(
      [
        "product": S.integer(minimum: 1), "variant": S.nullable(S.integer(minimum: 1)),
        "quantity": S.integer(minimum: 1, maximum: largestQuantity),
      ], required: ["product", "quantity"], closed: false),
    "OrderInput": S.object(
      ["items": S.array(S.ref("OrderItemInput"), minItems: 1)], required: ["items"],
      closed: false),
    "StatusInput": S.object(
      ["status": S.ref("OrderStatus")], required: ["status"], closed: false),
  ]

  /// A `CharField` as the server reads it: no NUL character, and unless `blank` some
  /// character that is not whitespace (the value is trimmed); lengths count after trimming.
  static func text(
    minLength: Int? = nil, maxLength: Int? = nil, blank: Bool = false, description: String? = nil
  ) -> JSONValue {
    S.string(
      minLength: minLength ?? (blank ? nil : 1), maxLength: maxLength,
      pattern: blank ? #"^[^\u0000]*$"# : #"^[^\u0000]*[^\u0000\s][^\u0000]*$"#,
      description: description)
  }

  /// DRF's list of messages for one field.
  static let messages = S.array(S.string())

  /// `LimitOffsetPagination`'s envelope around `item`s.
  static func page(_ item: String) -> JSONValue {
    S.object(
      [
        "count": S.integer(minimum: 0), "next": S.nullable(S.string(format: "uri")),
        "previous": S.nullable(S.string(format: "uri")), "results": S.array(S.ref(item)),
      ], required: ["count", "next", "previous", "results"])
  }

  /// A list answer: the plain array, or the page when `limit` is given.
  static func list(_ item: String, page: String) -> JSONValue {
    .object(["oneOf": .array([S.array(S.ref(item)), S.ref(page)])])
  }
}
