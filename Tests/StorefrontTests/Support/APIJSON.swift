import JSON
import Testing

/// JSON helpers for API tests: parse literals, compare regardless of member order, check
/// timestamps.
enum APIJSON {
  /// Parses a JSON literal written in a test (a bad literal is a test bug: recorded, `.null`).
  static func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation)
    -> JSONValue
  {
    do {
      return try JSONParser.parse(text)
    } catch {
      Issue.record("bad JSON literal in test (\(error)): \(text)", sourceLocation: sourceLocation)
      return .null
    }
  }

  /// `value` with every object's members sorted by key, so equal documents compare equal
  /// whatever their member order. Number literals are compared as written (`550` != `550.0`).
  static func canonical(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let items): .array(items.map(canonical))
    case .object(let object):
      .object(
        JSONObject(
          object.members.sorted { $0.key < $1.key }.map {
            JSONObject.Member($0.key, canonical($0.value))
          }))
    default: value
    }
  }

  /// Compact text of a value, for messages.
  static func text(_ value: JSONValue) -> String {
    String(decoding: value.encoded(), as: UTF8.self)
  }

  /// Whether `text` is a UTC ISO-8601 timestamp with microseconds and `Z`
  /// (`2026-01-14T05:07:06.527149Z`).
  static func isTimestamp(_ text: String) -> Bool {
    text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/) != nil
  }

  /// `value` with every member named in `keys` replaced by `"<timestamp>"` after checking that
  /// it is a timestamp string (an issue is recorded otherwise).
  static func redactingTimestamps(
    _ value: JSONValue, keys: Set<String> = ["created_at", "updated_at"],
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> JSONValue {
    switch value {
    case .array(let items):
      return .array(
        items.map { redactingTimestamps($0, keys: keys, sourceLocation: sourceLocation) })
    case .object(let object):
      return .object(
        JSONObject(
          object.members.map { member in
            if keys.contains(member.key) {
              let text = member.value.stringValue ?? ""
              #expect(
                isTimestamp(text),
                "\(member.key) is not a timestamp: \(APIJSON.text(member.value))",
                sourceLocation: sourceLocation)
              return JSONObject.Member(member.key, .string("<timestamp>"))
            }
            return JSONObject.Member(
              member.key,
              redactingTimestamps(member.value, keys: keys, sourceLocation: sourceLocation))
          }))
    default:
      return value
    }
  }

  /// The keys of an object, in order.
  static func keys(_ value: JSONValue) -> [String] {
    if case .object(let object) = value { return object.members.map(\.key) }
    return []
  }
}

/// Expects `response` to have `status` and a JSON body equal to `expected` (member order
/// ignored, number literals exact). Timestamps named `created_at`/`updated_at` are compared as
/// `"<timestamp>"` when `redactTimestamps` is set.
func expectJSON(
  _ response: APIResponse, _ status: Int, _ expected: String, redactTimestamps: Bool = false,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
  #expect(
    response.headers["content-type"] == "application/json", "\(response.headers)",
    sourceLocation: sourceLocation)
  var actual = response.json
  if redactTimestamps {
    actual = APIJSON.redactingTimestamps(actual, sourceLocation: sourceLocation)
  }
  let wanted = APIJSON.parse(expected, sourceLocation: sourceLocation)
  #expect(
    APIJSON.canonical(actual) == APIJSON.canonical(wanted),
    "got \(APIJSON.text(actual)), expected \(APIJSON.text(wanted))",
    sourceLocation: sourceLocation)
}

/// Expects a DRF `{"detail": ...}` error; for 401s also `WWW-Authenticate: Token`.
func expectDetail(
  _ response: APIResponse, _ status: Int, _ detail: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
  #expect(
    response.json == .object(["detail": .string(detail)]), "\(response)",
    sourceLocation: sourceLocation)
  #expect(
    response.headers["content-type"] == "application/json", "\(response.headers)",
    sourceLocation: sourceLocation)
  if status == 401 {
    #expect(
      response.headers["www-authenticate"] == "Token", "\(response.headers)",
      sourceLocation: sourceLocation)
  }
}

extension JSONValue {
  /// The elements of an array, or nil.
  var jsonArray: [JSONValue]? {
    if case .array(let items) = self { return items }
    return nil
  }
}
