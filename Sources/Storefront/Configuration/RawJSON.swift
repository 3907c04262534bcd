import Foundation

/// A JSON value decoded strictly (a `true` is never a number, `1.5` never an integer), for
/// checking a configuration file before swift-configuration's more lenient reading.
enum RawJSON: Decodable, Equatable, Sendable {
  case null
  case bool(Bool)
  case integer(Int)
  case number(Double)
  case string(String)
  case array([RawJSON])
  case object([String: RawJSON])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let bool = try? container.decode(Bool.self) {
      self = .bool(bool)
    } else if let integer = try? container.decode(Int.self) {
      self = .integer(integer)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else if let string = try? container.decode(String.self) {
      self = .string(string)
    } else if let object = try? container.decode([String: RawJSON].self) {
      self = .object(object)
    } else {
      self = .array(try container.decode([RawJSON].self))
    }
  }

  /// The value as an error message shows it: JSON for scalars, a phrase for containers.
  var rendered: String {
    switch self {
    case .null: "null"
    case .bool(let bool): String(bool)
    case .integer(let integer): String(integer)
    case .number(let number): String(number)
    case .string(let string): JSONText.quoted(string)
    case .array: "an array"
    case .object: "an object"
    }
  }
}
