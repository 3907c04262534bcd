/// A parsed JSON document.
///
/// Numbers keep their literal text so that money and large integers are never rounded
/// through a binary float: callers decide how to read them (`intValue`, or a decimal type).
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"price": 19.99}"#.utf8))
/// value["price"]?.numberLiteral  // "19.99"
/// ```
public enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  /// The number exactly as written in the document (or produced by a writer), e.g. `"19.99"`.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)
}

/// A JSON object that keeps its members in order (for readable, stable output).
public struct JSONObject: Sendable, Hashable {
  /// One `"key": value` member.
  public struct Member: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  public var members: [Member]

  public init(_ members: [Member] = []) { self.members = members }

  /// The value of the first member named `key`, if any. Setting replaces it or appends.
  public subscript(key: String) -> JSONValue? {
    get { members.first(where: { $0.key == key })?.value }
    set {
      if let index = members.firstIndex(where: { $0.key == key }) {
        if let newValue { members[index].value = newValue } else { members.remove(at: index) }
      } else if let newValue {
        members.append(Member(key, newValue))
      }
    }
  }
}

extension JSONValue {
  /// The member `key` of an object; `nil` for a missing member or a non-object.
  public subscript(key: String) -> JSONValue? {
    if case .object(let object) = self { return object[key] }
    return nil
  }

  /// The literal text of a number, or `nil`.
  public var numberLiteral: String? {
    if case .number(let text) = self { return text }
    return nil
  }

  /// The value as an `Int` when it is a number literal without fraction or exponent.
  public var intValue: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// An integer number.
  public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

  /// An object from ordered pairs: `.object(["id": .int(1)])`-like convenience.
  public static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(JSONObject(pairs.map { JSONObject.Member($0.key, $0.value) }))
  }
}
