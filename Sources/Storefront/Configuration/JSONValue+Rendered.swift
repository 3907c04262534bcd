import JSON

extension JSONValue {
  /// The value as a configuration message shows it: JSON for scalars, a phrase for containers.
  var rendered: String {
    switch self {
    case .null: "null"
    case .bool(let bool): String(bool)
    case .number(let literal): literal
    case .string(let string): JSONText.quoted(string)
    case .array: "an array"
    case .object: "an object"
    }
  }
}
