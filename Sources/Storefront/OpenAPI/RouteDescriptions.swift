import EventHTTP
import JSON

/// The description of every route of ``APIRoutes/table`` (API.md), by method and pattern as
/// registered: the one place where the OpenAPI document's operations come from. A route of
/// the table without an entry here, an entry without a route, or a query parameter that the
/// route's parser does not read fails `OpenAPIDocumentTests`.
enum RouteDescriptions {
  typealias S = JSONSchema
  typealias R = ResponseDescription

  /// The description of `method` on `pattern`, if there is one.
  static func description(_ method: HTTPMethod, _ pattern: String) -> OperationDescription? {
    byKey[key(method, pattern)]
  }

  static func key(_ method: HTTPMethod, _ pattern: String) -> String {
    "\(method.rawValue) \(pattern)"
  }

  static let byKey: [String: OperationDescription] = Dictionary(
    all.map { (key($0.method, $0.pattern), $0.operation) }, uniquingKeysWith: { first, _ in first })

  /// `limit` and `offset` of every list (DRF's `LimitOffsetPagination`, only when `limit` is
  /// given).
  static let pagination = [
    ParameterDescription(
      name: "limit",
      description:
        "Page size: the answer becomes `{count, next, previous, results}`. Capped at `api.max_page_size` (100); anything but a positive integer is ignored.",
      schema: S.integer(minimum: 1)),
    ParameterDescription(
      name: "offset",
      description: "Items to skip (with `limit`); anything but a non-negative integer is 0.",
      schema: S.integer(minimum: 0)),
  ]

  static func ordering(_ fields: [String]) -> ParameterDescription {
    let names = fields.map { "`\($0)`" }.joined(separator: ", ")
    return ParameterDescription(
      name: "ordering",
      description:
        "Comma-separated fields among \(names), each optionally prefixed with `-`; unknown ones are ignored. Default `id`.",
      schema: S.string())
  }

  static let search = ParameterDescription(
    name: "search",
    description:
      "Terms split on spaces and commas; every term must occur (case-insensitively) in the searched text.",
    schema: S.string())

  static let writesStopped = R(
    503, "Writes are stopped after a failure of the event log (reads still work).",
    S.ref("Detail"))
  static let hashQueueFull = R(
    503, "The password-hashing queue is full: try again shortly.", S.ref("Detail"),
    headers: [.retryAfter])

  static let all: [(method: HTTPMethod, pattern: String, operation: OperationDescription)] = [
    (
      .GET, "/health/",
      OperationDescription(
        operationId: "health", summary: "Liveness: the server accepts connections.",
        responses: [R(200, "Alive.", S.ref("Health"))])
    ),
    (
      .GET, "/ready/",
      OperationDescription(
        operationId: "ready", summary: "Readiness: the log is replayed and writes work.",
        responses: [
          R(200, "Serving, writes work.", S.ref("Ready")),
          R(
            503,
            "Replaying the event log at start-up, or writes stopped after a failure of the log;"
              + " `reason` names it.",
            S.ref("NotReady")),
        ])
    ),
    (
      .GET, "/schema/",
      OperationDescription(
        operationId: "schema", summary: "This OpenAPI 3.1 description of every route.",
        responses: [R(200, "The document.", S.ref("OpenAPI"))])
    ),
    (
      .POST, "/users/register/",
      OperationDescription(
        operationId: "register", summary: "Creates a user.",
        description: "Takes no credentials: an `Authorization` header is ignored.",
        body: RequestBodyDescription(
          schema: S.ref("RegisterInput"),
          example: .object([
            "username": .string("testuser"), "email": .string("test@example.com"),
            "password": .string("test12345"),
          ]), acceptsForm: true),
        responses: [R(201, "Registered.", S.ref("Registration")), hashQueueFull, writesStopped])
    ),
    (
      .POST, "/users/login/",
      OperationDescription(
        operationId: "login", summary: "Issues a new token.",
        description:
          "Takes no credentials: an `Authorization` header is ignored. Bad credentials are a 400 `non_field_errors`.",
        body: RequestBodyDescription(
          schema: S.ref("LoginInput"),
          example: .object(["username": .string("testuser"), "password": .string("test12345")]),
          acceptsForm: true),
        responses: [R(200, "Logged in.", S.ref("Login")), hashQueueFull, writesStopped])
    ),
    (
      .POST, "/users/logout/",
      OperationDescription(
        operationId: "logout", summary: "Revokes the token the call is made with.",
        responses: [R(200, "Logged out.", S.ref("Message")), writesStopped])
    ),
    (
      .POST, "/users/logout-all/",
      OperationDescription(
        operationId: "logoutAll", summary: "Revokes every token of the caller.",
        responses: [R(200, "Logged out everywhere.", S.ref("Message")), writesStopped])
    ),
    (
      .GET, "/products/",
      OperationDescription(
        operationId: "listProducts", summary: "Products, filtered, searched, ordered, paginated.",
        query: [
          ParameterDescription(
            name: "category",
            description: "Only this category's products (an unknown id is a 400).",
            schema: S.integer(minimum: 1)),
          search,
          ParameterDescription(
            name: "min_price", description: "Price at least (a decimal).",
            schema: S.ref("PriceInput")),
          ParameterDescription(
            name: "max_price", description: "Price at most (a decimal).",
            schema: S.ref("PriceInput")),
          ParameterDescription(
            name: "in_stock",
            description:
              "`true`: products with a variant in stock or without variants; `false`: the others.",
            schema: S.boolean),
          ordering(["id", "name", "price"]),
        ] + pagination,
        responses: [
          R(
            200, "The list (a page when `limit` is given).",
            OpenAPISchemas.list("Product", page: "ProductPage")),
          R(
            400,
            "A bad filter value, too many parameters, or an invalid `Host` for the page links.",
            S.anyOf([S.ref("FieldErrors"), S.ref("Detail")])),
        ])
    ),
    (
      .POST, "/products/create/",
      OperationDescription(
        operationId: "createProduct", summary: "Creates a product with its variants.",
        body: RequestBodyDescription(
          schema: S.ref("ProductInput"),
          example: .object([
            "name": .string("Sunscreen"), "price": .string("19.99"), "category": .int(1),
            "variants": .array([
              .object(["size": .string("100ml"), "color": .string(""), "stock": .int(5)])
            ]),
          ])),
        responses: [R(201, "Created.", S.ref("Product")), writesStopped])
    ),
    (
      .GET, "/products/categories/",
      OperationDescription(
        operationId: "listCategories", summary: "Categories, searched, ordered, paginated.",
        query: [search, ordering(["id", "name"])] + pagination,
        responses: [
          R(
            200, "The list (a page when `limit` is given).",
            OpenAPISchemas.list("Category", page: "CategoryPage")),
          R(400, "Too many parameters, or an invalid `Host` for the page links.", S.ref("Detail")),
        ])
    ),
    (
      .POST, "/products/categories/create/",
      OperationDescription(
        operationId: "createCategory", summary: "Creates a category.",
        body: RequestBodyDescription(
          schema: S.ref("CategoryInput"), example: .object(["name": .string("Skincare")]),
          acceptsForm: true),
        responses: [R(201, "Created.", S.ref("Category")), writesStopped])
    ),
    (
      .GET, "/products/<int:id>/",
      OperationDescription(
        operationId: "getProduct", summary: "One product.",
        responses: [R(200, "The product.", S.ref("Product"))])
    ),
    (
      .PATCH, "/products/<int:id>/",
      OperationDescription(
        operationId: "updateProduct",
        summary: "Changes the fields sent; past orders keep their prices.",
        body: RequestBodyDescription(
          schema: S.ref("ProductChange"), example: .object(["price": .string("21.50")])),
        responses: [R(200, "Changed.", S.ref("Product")), writesStopped])
    ),
    (
      .DELETE, "/products/<int:id>/",
      OperationDescription(
        operationId: "deleteProduct", summary: "Removes a product from lists, detail and ordering.",
        responses: [R(204, "Deleted.", nil), writesStopped])
    ),
    (
      .POST, "/products/<int:id>/variants/",
      OperationDescription(
        operationId: "createVariant", summary: "Adds a variant to a product.",
        body: RequestBodyDescription(
          schema: S.ref("VariantInput"),
          example: .object(["size": .string("200ml"), "color": .string("blue"), "stock": .int(3)])),
        responses: [R(201, "Added.", S.ref("Variant")), writesStopped])
    ),
    (
      .PATCH, "/products/<int:id>/variants/<int:vid>/",
      OperationDescription(
        operationId: "updateVariant",
        summary: "Changes a variant, or adds `stock_delta` to its stock.",
        body: RequestBodyDescription(
          schema: S.ref("VariantChange"), example: .object(["stock_delta": .int(10)])),
        responses: [R(200, "Changed.", S.ref("Variant")), writesStopped])
    ),
    (
      .GET, "/products/categories/<int:id>/",
      OperationDescription(
        operationId: "getCategory", summary: "One category.",
        responses: [R(200, "The category.", S.ref("Category"))])
    ),
    (
      .PATCH, "/products/categories/<int:id>/",
      OperationDescription(
        operationId: "updateCategory", summary: "Renames a category.",
        body: RequestBodyDescription(
          schema: S.ref("CategoryChange"), example: .object(["name": .string("Skin care")])),
        responses: [R(200, "Renamed.", S.ref("Category")), writesStopped])
    ),
    (
      .DELETE, "/products/categories/<int:id>/",
      OperationDescription(
        operationId: "deleteCategory", summary: "Deletes a category that has no products left.",
        responses: [
          R(204, "Deleted.", nil),
          R(409, "The category still has products.", S.ref("Detail")),
          writesStopped,
        ])
    ),
    (
      .GET, "/orders/",
      OperationDescription(
        operationId: "listOrders",
        summary: "The caller's orders (an admin's: all), filtered, ordered, paginated.",
        query: [
          ParameterDescription(
            name: "status", description: "Only orders in this status (another value is a 400).",
            schema: S.ref("OrderStatus")),
          ordering(["id", "created_at", "updated_at"]),
        ] + pagination,
        responses: [
          R(
            200, "The list (a page when `limit` is given).",
            OpenAPISchemas.list("Order", page: "OrderPage")),
          R(
            400, "An unknown status, too many parameters, or an invalid `Host` for the page links.",
            S.anyOf([S.ref("FieldErrors"), S.ref("Detail")])),
        ])
    ),
    (
      .POST, "/orders/",
      OperationDescription(
        operationId: "createOrder",
        summary: "Places an order; safe to retry with `Idempotency-Key`.",
        description:
          "Takes the stock of every ordered variant at once, or none when one lacks it. A retry with the same key and body gets the first answer again (201 or 400) with `Idempotent-Replayed: true`.",
        headers: [
          ParameterDescription(
            name: "Idempotency-Key",
            description:
              "1 to 255 printable ASCII characters, scoped to the caller; kept `api.idempotency_ttl_seconds`.",
            schema: S.string(minLength: 1, maxLength: 255, pattern: "^[ -~]+$"))
        ],
        body: RequestBodyDescription(
          schema: S.ref("OrderInput"),
          example: .object([
            "items": .array([
              .object(["product": .int(1), "variant": .int(1), "quantity": .int(1)])
            ])
          ])),
        responses: [
          R(
            201, "Placed (or the replay of the first answer to this key).", S.ref("Order"),
            headers: [replayed]),
          R(
            400, "Field errors (possibly replayed), or a malformed `Idempotency-Key`.",
            S.anyOf([S.ref("FieldErrors"), S.ref("Detail")]), headers: [replayed]),
          R(409, "A request with this `Idempotency-Key` is still in progress.", S.ref("Detail")),
          R(422, "This `Idempotency-Key` was used with a different body.", S.ref("Detail")),
          writesStopped,
        ])
    ),
    (
      .GET, "/orders/<int:id>/",
      OperationDescription(
        operationId: "getOrder", summary: "One order, for its owner or an admin (others: 404).",
        responses: [R(200, "The order.", S.ref("Order"))])
    ),
    (
      .PATCH, "/orders/<int:id>/update-status/",
      OperationDescription(
        operationId: "updateOrderStatus",
        summary:
          "Sets an order's status (not out of `delivered` or `cancelled`; cancelling returns the stock).",
        body: RequestBodyDescription(
          schema: S.ref("StatusInput"), example: .object(["status": .string("paid")]),
          acceptsForm: true),
        responses: [R(200, "Changed.", S.ref("OrderStatusChange")), writesStopped])
    ),
  ]

  static let replayed = HeaderDescription(
    name: "Idempotent-Replayed",
    description: "`true` when this is the stored answer to an earlier request with the key.",
    schema: S.constant("true"))
}
