import Crypto
import JSON
import Primitives

/// The stored outcome of the first `POST /orders/` with an `Idempotency-Key`: replayed to
/// later requests of the same user with the same key and body.
public struct IdempotencyRecord: Sendable, Hashable {
  /// The user the key belongs to (keys are scoped per user).
  public var userId: Int
  /// The `Idempotency-Key` value, 1 to 255 printable ASCII characters.
  public var key: String
  /// SHA-256 (lowercase hex) of the request body's canonical JSON (``requestDigest(of:)``).
  public var requestDigest: String
  /// The HTTP status answered (201 or 400).
  public var status: Int
  /// The JSON body answered.
  public var response: JSONValue
  /// When it was answered; the record expires `api.idempotency_ttl_seconds` later.
  public var recordedAt: Timestamp

  /// `{"user", "key", "request", "status", "response", "recorded_at"}`: the event's data.
  var json: JSONValue {
    .object([
      "user": .int(userId), "key": .string(key), "request": .string(requestDigest),
      "status": .int(status), "response": response,
      "recorded_at": .string(recordedAt.description),
    ])
  }

  /// The digest two bodies share exactly when they are equal as parsed JSON: object members
  /// compared regardless of order (duplicates were resolved by the parser, the last one
  /// winning), numbers by exact decimal value (`1`, `1.0` and `10e-1` are equal), strings by
  /// code points.
  public static func requestDigest(of body: JSONValue) -> String {
    Hex.string(SHA256.hash(data: canonical(body).encoded()))
  }

  private static func canonical(_ value: JSONValue) -> JSONValue {
    switch value {
    case .null, .bool, .string: value
    case .number(let literal): .number(DecimalLiteral(literal)?.canonicalText ?? literal)
    case .array(let items): .array(items.map(canonical))
    case .object(let object):
      .object(
        JSONObject(
          object.members
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { JSONObject.Member($0.key, canonical($0.value)) }))
    }
  }
}

extension DecimalLiteral {
  /// One spelling per value: `-` when negative and not zero, the coefficient without trailing
  /// zeros, and `e<exponent>` (`0` for every zero).
  var canonicalText: String {
    if isZero { return "0" }
    var digits = self.digits
    var exponent = self.exponent
    while digits.count > 1, digits.last == 0 {
      digits.removeLast()
      exponent += 1
    }
    let text = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    return (isNegative ? "-" : "") + text + "e\(exponent)"
  }
}
