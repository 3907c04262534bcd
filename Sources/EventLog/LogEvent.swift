import JSON

/// An application event stored as one line of the log.
///
/// ```swift
/// enum ShopEvent: LogEvent {
///   case productCreated(id: Int, name: String)
///   var type: String { "productCreated" }
///   func encodeData() -> JSONValue { ... }
///   init(type: String, data: JSONValue) throws { ... }
/// }
/// ```
public protocol LogEvent: Sendable {
  /// Written as the line's "type".
  var type: String { get }
  /// Written as the line's "data".
  func encodeData() -> JSONValue
  /// Rebuilds an event from a line's type and data (throws on an unknown type/bad shape).
  init(type: String, data: JSONValue) throws
  /// Replay's fast path: the event straight from the bytes of a line's `data`, without a
  /// `JSONValue` tree. Return nil for anything not fully checked (the line then goes through
  /// `JSONParser` and `init(type:data:)`), so only bytes that path would accept, as the same
  /// event, may give a non-nil result. The default always returns nil.
  init?(type: String, encodedData: UnsafeRawBufferPointer)
}

extension LogEvent {
  public init?(type: String, encodedData: UnsafeRawBufferPointer) { return nil }
}
