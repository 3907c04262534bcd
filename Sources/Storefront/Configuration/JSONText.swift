import JSON

/// Renders values for configuration messages the way JSON writes them.
enum JSONText {
  /// `"text"` with JSON escapes (the JSON module's writer).
  static func quoted(_ text: String) -> String {
    String(decoding: JSONValue.string(text).encoded(), as: UTF8.self)
  }
}
