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
}
