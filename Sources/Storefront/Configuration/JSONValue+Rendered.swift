import JSON

extension JSONValue {
  /// The value as a configuration message shows it: JSON for scalars, a phrase for containers.
  var rendered: String {
    switch self {
    case .null: "null"
    case .bool(let bool): String(bool)
    case .number(let literal): literal
    case .string(let string): Self.quoted(string)
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// `"text"` with JSON escapes (the JSON module's writer).
  static func quoted(_ text: String) -> String {
    String(decoding: JSONValue.string(text).encoded(), as: UTF8.self)
  }
}
