import JSON

/// DRF's field semantics (`CharField`, `IntegerField`, `PrimaryKeyRelatedField`, `ChoiceField`,
/// `DecimalField`) over one JSON object. Each accessor records its field's messages in `errors`
/// and returns `nil` when the field is invalid, so a whole body is checked before it is refused.
struct FieldReader {
  let object: JSONObject
  var errors = FieldErrors()

  init(_ object: JSONObject) { self.object = object }

  /// Reads the body of a request as an object, or fails as DRF does with
  /// `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`.
  static func object(_ body: JSONValue) throws(ShopError) -> JSONObject {
    switch body {
    case .object(let object): return object
    case .null: throw .validation(.nonField("No data provided"))
    default:
      throw .validation(
        .nonField("Invalid data. Expected a dictionary, but got \(pythonTypeName(body))."))
    }
  }

  /// The raw member, if present.
  func raw(_ key: String) -> JSONValue? { object[key] }

  /// A `CharField`: strings, or numbers as their text; trimmed unless `trim` is false.
  mutating func string(
    _ key: String, required: Bool = true, default defaultValue: String? = nil,
    allowBlank: Bool = false, maxLength: Int? = nil, trim: Bool = true
  ) -> String? {
    field(key, required: required, default: defaultValue) { value throws(FieldMessages) in
      try Self.charField(value, allowBlank: allowBlank, maxLength: maxLength, trim: trim)
    }
  }

  /// DRF `CharField.run_validation` on one value.
  static func charField(
    _ value: JSONValue, allowBlank: Bool, maxLength: Int?, trim: Bool
  ) throws(FieldMessages) -> String {
    let text: String
    switch value {
    case .null: throw FieldMessages("This field may not be null.")
    case .string(let string): text = string
    case .number(let literal): text = literal
    default:
      // DRF checks blankness on str(data) first; a list or object is never blank.
      throw FieldMessages("Not a valid string.")
    }
    let result = trim ? trimmedWhitespace(text) : text
    if text.isEmpty || result.isEmpty {
      if !allowBlank { throw FieldMessages("This field may not be blank.") }
      return ""
    }
    var messages: [String] = []
    if let maxLength, result.unicodeScalars.count > maxLength {
      messages.append("Ensure this field has no more than \(maxLength) characters.")
    }
    if result.unicodeScalars.contains("\0") {
      messages.append("Null characters are not allowed.")
    }
    if !messages.isEmpty { throw FieldMessages(messages) }
    return result
  }

  /// An `IntegerField` with optional bounds.
  mutating func integer(
    _ key: String, required: Bool = true, default defaultValue: Int? = nil,
    minValue: Int? = nil, maxValue: Int? = nil
  ) -> Int? {
    field(key, required: required, default: defaultValue) { value throws(FieldMessages) in
      try Self.integerField(value, minValue: minValue, maxValue: maxValue)
    }
  }

  /// DRF `IntegerField`: accepts `5`, `5.0`, `"5"`, `" 5 "`; refuses `5.5`, `"abc"`, booleans.
  static func integerField(
    _ value: JSONValue, minValue: Int?, maxValue: Int?
  ) throws(FieldMessages) -> Int {
    guard let number = try integerInput(value) else {
      throw FieldMessages("A valid integer is required.")
    }
    var messages: [String] = []
    if let maxValue, number > maxValue {
      messages.append("Ensure this value is less than or equal to \(maxValue).")
    }
    if let minValue, number < minValue {
      messages.append("Ensure this value is greater than or equal to \(minValue).")
    }
    if !messages.isEmpty { throw FieldMessages(messages) }
    return number
  }

  /// The integer a value stands for under DRF's `int(re.sub(r'\.0*\s*$', '', str(data)))`, or nil.
  static func integerInput(_ value: JSONValue) throws(FieldMessages) -> Int? {
    switch value {
    case .null: throw FieldMessages("This field may not be null.")
    case .number(let literal):
      return DecimalLiteral(literal)?.integerValue
    case .string(let text):
      guard text.utf8.count <= 1000 else { throw FieldMessages("String value too large.") }
      return integerFromString(text)
    default:
      return nil
    }
  }

  /// `int(...)` after removing a trailing `.000` and whitespace, ASCII digits only.
  private static func integerFromString(_ text: String) -> Int? {
    var scalars = Array(text.unicodeScalars)
    while let last = scalars.last, trimmedWhitespace(String(last)).isEmpty { scalars.removeLast() }
    var end = scalars.count
    while end > 0, scalars[end - 1] == "0" { end -= 1 }
    if end > 0, scalars[end - 1] == "." { scalars.removeSubrange((end - 1)...) }
    let core = trimmedWhitespace(String(String.UnicodeScalarView(scalars)))
    guard !core.isEmpty, !core.contains("."), !core.contains("e"), !core.contains("E"),
      let decimal = DecimalLiteral(core)
    else { return nil }
    return decimal.integerValue
  }

  /// A `PrimaryKeyRelatedField`'s input: the id and its text for `Invalid pk "..."` messages.
  struct PrimaryKeyInput: Sendable, Equatable {
    var id: Int
    var text: String
  }

  /// A required, non-null primary key field.
  mutating func primaryKey(_ key: String) -> PrimaryKeyInput? {
    field(key, Self.primaryKeyField)
  }

  /// A nullable, optional primary key: `.some(nil)` for null or absent, `nil` when invalid.
  mutating func optionalPrimaryKey(_ key: String) -> PrimaryKeyInput?? {
    field(key, required: false, default: .some(nil)) { value throws(FieldMessages) in
      value == .null ? nil : try Self.primaryKeyField(value)
    }
  }

  /// DRF `PrimaryKeyRelatedField.to_internal_value` before the lookup.
  static func primaryKeyField(_ value: JSONValue) throws(FieldMessages) -> PrimaryKeyInput {
    switch value {
    case .null: throw FieldMessages("This field may not be null.")
    case .number(let literal):
      guard let id = DecimalLiteral(literal)?.integerValue else {
        throw FieldMessages("Incorrect type. Expected pk value, received float.")
      }
      return PrimaryKeyInput(
        id: id, text: DecimalLiteral(literal)?.exponent == 0 ? literal : "\(id)")
    case .string(let text):
      let core = trimmedWhitespace(text)
      guard !core.isEmpty,
        core.unicodeScalars.allSatisfy({ "0123456789+-".unicodeScalars.contains($0) }),
        let id = DecimalLiteral(core)?.integerValue
      else { throw FieldMessages("Incorrect type. Expected pk value, received str.") }
      return PrimaryKeyInput(id: id, text: text)
    default:
      throw FieldMessages("Incorrect type. Expected pk value, received \(pythonTypeName(value)).")
    }
  }

  /// DRF's message for a primary key naming no object.
  static func doesNotExist(_ input: PrimaryKeyInput) -> String {
    "Invalid pk \"\(input.text)\" - object does not exist."
  }

  /// A `ChoiceField` over string choices.
  mutating func choice(_ key: String, _ choices: [String]) -> String? {
    guard let value = object[key] else {
      errors.add(key, "This field is required.")
      return nil
    }
    let text: String
    switch value {
    case .null:
      errors.add(key, "This field may not be null.")
      return nil
    case .string(let string): text = string
    case .number(let literal): text = literal
    case .bool(let flag): text = flag ? "True" : "False"
    default: text = pythonRepr(value)
    }
    guard choices.contains(text) else {
      errors.add(key, "\"\(text)\" is not a valid choice.")
      return nil
    }
    return text
  }

  /// A price (`DecimalField`).
  mutating func money(_ key: String) -> Money? {
    field(key, Money.parse)
  }

  /// The member `key` as `check` reads it. Absent: `defaultValue`, and `This field is
  /// required.` when `required`. Refused by `check`: nil, with its messages.
  private mutating func field<Value>(
    _ key: String, required: Bool = true, default defaultValue: Value? = nil,
    _ check: (JSONValue) throws(FieldMessages) -> Value
  ) -> Value? {
    guard let value = object[key] else {
      if required { errors.add(key, "This field is required.") }
      return defaultValue
    }
    do {
      return try check(value)
    } catch {
      errors.add(key, error.messages)
      return nil
    }
  }
}

/// The Python type name DRF prints for a JSON value (`dict`, `list`, `str`, `int`, ...).
func pythonTypeName(_ value: JSONValue) -> String {
  switch value {
  case .null: "NoneType"
  case .bool: "bool"
  case .number(let literal):
    DecimalLiteral(literal)?.exponent == 0 && !literal.contains(".")
      && !literal.lowercased().contains("e") ? "int" : "float"
  case .string: "str"
  case .array: "list"
  case .object: "dict"
  }
}

/// A short Python-like rendering of a value for messages such as `"[1]" is not a valid choice.`.
private func pythonRepr(_ value: JSONValue) -> String {
  switch value {
  case .null: "None"
  case .bool(let flag): flag ? "True" : "False"
  case .number(let literal): literal
  case .string(let text): "'\(text)'"
  case .array(let items): "[" + items.map(pythonRepr).joined(separator: ", ") + "]"
  case .object(let object):
    "{" + object.members.map { "'\($0.key)': \(pythonRepr($0.value))" }.joined(separator: ", ")
      + "}"
  }
}

extension FieldReader {
  /// A nested `many=True` serializer's list: records DRF's list-level errors under `key`
  /// (`{"items": {"non_field_errors": ["This list may not be empty."]}}`) and returns nil then.
  mutating func list(
    _ key: String, required: Bool, allowEmpty: Bool, default defaultValue: [JSONValue]? = nil
  ) -> [JSONValue]? {
    guard let value = object[key] else {
      if required { errors.add(key, "This field is required.") }
      return defaultValue
    }
    switch value {
    case .null:
      errors.add(key, "This field may not be null.")
      return nil
    case .array(let items):
      if items.isEmpty && !allowEmpty {
        errors.set(key, ValidationError.nonField("This list may not be empty.").body)
        return nil
      }
      return items
    default:
      errors.set(
        key,
        ValidationError.nonField(
          "Expected a list of items but got type \"\(pythonTypeName(value))\"."
        ).body)
      return nil
    }
  }

  /// Records per-index child errors (`{"1": {...}}`) under `key` when there are any.
  mutating func setIndexed(_ key: String, _ childErrors: [(index: Int, errors: JSONValue)]) {
    guard !childErrors.isEmpty else { return }
    errors.set(
      key, .object(JSONObject(childErrors.map { JSONObject.Member(String($0.index), $0.errors) })))
  }
}
