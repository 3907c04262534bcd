import JSON

/// A 400 error body in Django REST framework's shape, e.g. `{"name": ["This field is required."]}`,
/// `{"items": {"1": {"quantity": ["..."]}}}` or `{"non_field_errors": ["..."]}`.
public struct ValidationError: Error, Sendable, Equatable {
  /// The error object exactly as it goes on the wire.
  public var body: JSONValue

  /// An error with the given body.
  public init(body: JSONValue) { self.body = body }

  /// `{"<field>": ["<message>"]}`.
  public init(field: String, _ message: String) {
    self.body = .object([field: .array([.string(message)])])
  }

  /// `{"non_field_errors": ["<message>"]}`.
  public static func nonField(_ message: String) -> ValidationError {
    ValidationError(field: nonFieldErrorsKey, message)
  }

  /// DRF's key for errors about an object as a whole.
  public static let nonFieldErrorsKey = "non_field_errors"

  /// The messages as `field: message` lines (nested keys joined by `.`), for a command line:
  /// `username: A user with that username already exists.`.
  public var summary: String {
    var lines: [String] = []
    func walk(_ value: JSONValue, path: String) {
      switch value {
      case .object(let object):
        for member in object.members {
          walk(member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)")
        }
      case .array(let items):
        for item in items { walk(item, path: path) }
      case .string(let message):
        lines.append(path.isEmpty ? message : "\(path): \(message)")
      default:
        break
      }
    }
    walk(body, path: "")
    return lines.joined(separator: "\n")
  }
}

/// Collects the errors of every field of one object, in field order, as DRF does before it
/// answers: a body with three bad fields gets three entries.
struct FieldErrors: Sendable {
  private(set) var object = JSONObject()

  var isEmpty: Bool { object.members.isEmpty }

  /// Adds one message to the list of `field`.
  mutating func add(_ field: String, _ message: String) {
    if case .array(var list) = object[field] {
      list.append(.string(message))
      object[field] = .array(list)
    } else {
      object[field] = .array([.string(message)])
    }
  }

  /// Adds several messages to `field`.
  mutating func add(_ field: String, _ messages: [String]) {
    for message in messages { add(field, message) }
  }

  /// Sets a nested error value (an object of per-index or per-field errors) for `field`.
  mutating func set(_ field: String, _ value: JSONValue) {
    object[field] = value
  }

  var body: JSONValue { .object(object) }

  /// Throws the collected errors as a validation error, if there are any.
  func throwIfAny() throws(ShopError) {
    if !isEmpty { throw .validation(ValidationError(body: body)) }
  }
}
