import JSON

/// The encodings of the catalog-management and idempotency events.
///
/// ```text
/// productUpdated       {"id": 7, "price": 600}                    only the fields sent
/// productDeleted       {"id": 7}
/// variantAdded         {"product": 7, "id": 12, "size": "M", "color": "", "stock": 5}
/// variantUpdated       {"product": 7, "id": 12, "color": "Red"}   only the fields sent
/// stockAdjusted        {"variant": 12, "delta": -3}
/// categoryUpdated      {"id": 3, "name": "Haircare"}
/// categoryDeleted      {"id": 3}
/// idempotencyRecorded  {"user": 2, "key": "k", "request": "<sha256>", "status": 201,
///                       "response": {...}, "recorded_at": "2026-01-14T05:07:06.527149Z"}
/// ```
extension ShopEvent {
  static func encodeProductUpdate(_ productId: Int, _ changes: ProductChanges) -> JSONValue {
    .object(JSONObject([JSONObject.Member("id", .int(productId))] + changes.members))
  }

  static func encodeVariantAdded(_ productId: Int, _ variant: Variant) -> JSONValue {
    .object([
      "product": .int(productId), "id": .int(variant.id), "size": .string(variant.size),
      "color": .string(variant.color), "stock": .int(variant.stock),
    ])
  }

  static func encodeVariantUpdate(
    _ productId: Int, _ variantId: Int, _ changes: VariantChanges
  ) -> JSONValue {
    .object(
      JSONObject(
        [JSONObject.Member("product", .int(productId)), JSONObject.Member("id", .int(variantId))]
          + changes.members))
  }

  /// The management event of `type`, or nil when `type` is none of them.
  static func decodeManagement(type: String, _ fields: EventFields) throws -> ShopEvent? {
    switch type {
    case "productUpdated":
      return .productUpdated(
        productId: try fields.int("id"),
        ProductChanges(
          name: try fields.optional("name") { try fields.string($0) },
          description: try fields.optional("description") { try fields.string($0) },
          price: try fields.optional("price") { try fields.money($0) },
          categoryId: try fields.optional("category") { try fields.int($0) }))
    case "productDeleted":
      return .productDeleted(productId: try fields.int("id"))
    case "variantAdded":
      return .variantAdded(
        productId: try fields.int("product"),
        Variant(
          id: try fields.int("id"), size: try fields.string("size"),
          color: try fields.string("color"), stock: try fields.int("stock")))
    case "variantUpdated":
      return .variantUpdated(
        productId: try fields.int("product"), variantId: try fields.int("id"),
        VariantChanges(
          size: try fields.optional("size") { try fields.string($0) },
          color: try fields.optional("color") { try fields.string($0) }))
    case "stockAdjusted":
      return .stockAdjusted(
        StockDelta(variantId: try fields.int("variant"), delta: try fields.int("delta")))
    case "categoryUpdated":
      return .categoryUpdated(Category(id: try fields.int("id"), name: try fields.string("name")))
    case "categoryDeleted":
      return .categoryDeleted(categoryId: try fields.int("id"))
    case "idempotencyRecorded":
      return .idempotencyRecorded(
        IdempotencyRecord(
          userId: try fields.int("user"), key: try fields.string("key"),
          requestDigest: try fields.string("request"), status: try fields.int("status"),
          response: try fields.member("response"),
          recordedAt: try fields.timestamp("recorded_at")))
    default:
      return nil
    }
  }
}

extension EventFields {
  /// `read(key)` when the member is present, nil when it is absent.
  func optional<Value>(_ key: String, _ read: (String) throws -> Value) throws -> Value? {
    value[key] == nil ? nil : try read(key)
  }
}
