import JSON

/// One item of an order body after the type checks of its fields, before the lookups.
struct OrderLineDraft: Sendable {
  /// A field's outcome: its value, or its DRF messages.
  enum Field<Value: Sendable>: Sendable {
    case value(Value)
    case invalid([String])
  }

  /// Set when the item is not an object: `Invalid data. Expected a dictionary, but got str.`.
  var objectError: String?
  var product: Field<FieldReader.PrimaryKeyInput> = .invalid([])
  var variant: Field<FieldReader.PrimaryKeyInput?> = .value(nil)
  var quantity: Field<Int> = .invalid([])

  /// The largest quantity DRF's `PositiveIntegerField` mapping accepts.
  static let maxQuantity = 2_147_483_647

  /// Reads `{"items": [...]}`; list-level problems are thrown, item problems kept per item.
  static func parse(_ body: JSONValue) throws(ShopError) -> [OrderLineDraft] {
    var reader = FieldReader(try FieldReader.object(body))
    let items = reader.list("items", required: true, allowEmpty: false)
    try reader.errors.throwIfAny()
    return items!.map(parseItem)
  }

  private static func parseItem(_ value: JSONValue) -> OrderLineDraft {
    var draft = OrderLineDraft()
    guard case .object(let object) = value else {
      draft.objectError = "Invalid data. Expected a dictionary, but got \(pythonTypeName(value))."
      return draft
    }
    if let product = object["product"] {
      do {
        draft.product = .value(try FieldReader.primaryKeyField(product))
      } catch { draft.product = .invalid(error.messages) }
    } else {
      draft.product = .invalid(["This field is required."])
    }
    if let variant = object["variant"], variant != .null {
      do {
        draft.variant = .value(try FieldReader.primaryKeyField(variant))
      } catch { draft.variant = .invalid(error.messages) }
    }
    if let quantity = object["quantity"] {
      do {
        draft.quantity = .value(
          try FieldReader.integerField(quantity, minValue: 1, maxValue: maxQuantity))
      } catch { draft.quantity = .invalid(error.messages) }
    } else {
      draft.quantity = .invalid(["This field is required."])
    }
    return draft
  }
}

/// An order line checked against the catalog: its unit price at this moment.
struct PricedLine: Sendable, Hashable {
  var productId: Int
  var variantId: Int?
  var quantity: Int
  var price: Money
}

/// Stock held for an order between its check and its commit to the log.
struct StockReservation: Sendable {
  var lines: [PricedLine]

  /// Negative deltas, one per variant line, in item order.
  var stockDeltas: [StockDelta] {
    lines.compactMap { line in
      line.variantId.map { StockDelta(variantId: $0, delta: -line.quantity) }
    }
  }
}
