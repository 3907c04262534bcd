extension ShopEvent {
  /// Replay's fast path for the events a log holds by the million (orders), read straight from
  /// the bytes `encodeData()` wrote; nil for other types and for anything not in exactly that
  /// form, which then goes through `init(type:data:)`.
  public init?(type: String, encodedData: UnsafeRawBufferPointer) {
    guard var reader = EncodedDataReader(encodedData) else { return nil }
    let event: ShopEvent?
    switch type {
    case "orderPlaced": event = Self.readOrderPlaced(&reader)
    case "orderRestored": event = Self.readOrderRestored(&reader).map { .orderRestored($0) }
    case "orderStatusChanged": event = Self.readStatusChange(&reader)
    default: return nil
    }
    guard let event, reader.atEnd else { return nil }
    self = event
  }

  /// `{"id","user","user_name","created_at","items","stock"}`.
  private static func readOrderPlaced(_ reader: inout EncodedDataReader) -> ShopEvent? {
    guard reader.expect(#"{"id":"#), let id = reader.int(),
      reader.expect(#","user":"#), let userId = reader.int(),
      reader.expect(#","user_name":"#), let userName = reader.string(),
      reader.expect(#","created_at":"#), let createdAt = reader.timestamp(),
      reader.expect(#","items":"#), let items = reader.array(readItem),
      reader.expect(#","stock":"#), let stock = reader.array(readStockDelta),
      reader.expect("}")
    else { return nil }
    let order = Order(
      id: id, userId: userId, userName: userName, status: .created, items: items,
      createdAt: createdAt, updatedAt: createdAt)
    return .orderPlaced(order, stock: stock)
  }

  /// `Order.json`: `{"id","user","user_name","status","items","created_at","updated_at"}`.
  private static func readOrderRestored(_ reader: inout EncodedDataReader) -> Order? {
    guard reader.expect(#"{"id":"#), let id = reader.int(),
      reader.expect(#","user":"#), let userId = reader.int(),
      reader.expect(#","user_name":"#), let userName = reader.string(),
      reader.expect(#","status":"#), let status = reader.status(),
      reader.expect(#","items":"#), let items = reader.array(readItem),
      reader.expect(#","created_at":"#), let createdAt = reader.timestamp(),
      reader.expect(#","updated_at":"#), let updatedAt = reader.timestamp(),
      reader.expect("}")
    else { return nil }
    return Order(
      id: id, userId: userId, userName: userName, status: status, items: items,
      createdAt: createdAt, updatedAt: updatedAt)
  }

  /// `{"id","status","updated_at","stock"}`.
  private static func readStatusChange(_ reader: inout EncodedDataReader) -> ShopEvent? {
    guard reader.expect(#"{"id":"#), let id = reader.int(),
      reader.expect(#","status":"#), let status = reader.status(),
      reader.expect(#","updated_at":"#), let updatedAt = reader.timestamp(),
      reader.expect(#","stock":"#), let stock = reader.array(readStockDelta),
      reader.expect("}")
    else { return nil }
    return .orderStatusChanged(orderId: id, status: status, updatedAt: updatedAt, stock: stock)
  }

  /// `OrderItem.json`: `{"id","product","variant","quantity","price"}`.
  private static func readItem(_ reader: inout EncodedDataReader) -> OrderItem? {
    guard reader.expect(#"{"id":"#), let id = reader.int(),
      reader.expect(#","product":"#), let productId = reader.int(),
      reader.expect(#","variant":"#), let variantId = reader.optionalInt(),
      reader.expect(#","quantity":"#), let quantity = reader.int(),
      reader.expect(#","price":"#), let price = reader.money(),
      reader.expect("}")
    else { return nil }
    return OrderItem(
      id: id, productId: productId, variantId: variantId, quantity: quantity, price: price)
  }

  /// `{"variant","delta"}`.
  private static func readStockDelta(_ reader: inout EncodedDataReader) -> StockDelta? {
    guard reader.expect(#"{"variant":"#), let variantId = reader.int(),
      reader.expect(#","delta":"#), let delta = reader.int(),
      reader.expect("}")
    else { return nil }
    return StockDelta(variantId: variantId, delta: delta)
  }
}
