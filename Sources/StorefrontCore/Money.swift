import JSON

/// An exact amount of money in minor units (cents), never a binary float.
///
/// Parsed as DRF's `DecimalField(max_digits: 10, decimal_places: 2, min_value: 0)` reads it and
/// rendered as a JSON number without needless zeros:
///
/// ```swift
/// try Money.parse(.number("19.99")).jsonValue   // .number("19.99")
/// try Money.parse(.string("550.00")).description // "550"
/// ```
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The amount in hundredths (cents).
  public var cents: Int64

  /// The amount of `cents` hundredths.
  public init(cents: Int64) { self.cents = cents }

  /// Total digits allowed (DRF `max_digits`).
  public static let maxDigits = 10
  /// Fraction digits allowed (DRF `decimal_places`).
  public static let decimalPlaces = 2

  public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

  /// The amount as written in JSON: `550`, `19.99`, `0.5`.
  public var description: String {
    let sign = cents < 0 ? "-" : ""
    let magnitude = cents.magnitude
    let whole = magnitude / 100
    let fraction = magnitude % 100
    if fraction == 0 { return "\(sign)\(whole)" }
    if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
    return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
  }

  /// The amount as a JSON number.
  public var jsonValue: JSONValue { .number(description) }

  /// Parses a price from a JSON number literal or a string, with DRF's checks and messages.
  ///
  /// - Throws: the list of DRF messages for the field (`A valid number is required.`, ...).
  public static func parse(_ value: JSONValue) throws(FieldMessages) -> Money {
    let literal: DecimalLiteral?
    switch value {
    case .number(let text):
      literal = DecimalLiteral(text)?.droppingFractionTrailingZeros()
    case .string(let text):
      guard text.utf8.count <= 1000 else { throw FieldMessages("String value too large.") }
      literal = DecimalLiteral(text)
    case .null:
      throw FieldMessages("This field may not be null.")
    default:
      literal = nil
    }
    guard let literal else { throw FieldMessages("A valid number is required.") }
    return try fromValidated(literal)
  }

  /// Parses the exact literal text written by `description` (used when reading events).
  public init?(literal text: String) {
    guard let decimal = DecimalLiteral(text), let money = try? Money.fromValidated(decimal),
      !decimal.isNegative || decimal.isZero
    else { return nil }
    self = money
  }

  private static func fromValidated(_ value: DecimalLiteral) throws(FieldMessages) -> Money {
    // DRF's validate_precision, on the Decimal's (digits, exponent) tuple.
    let totalDigits: Int
    let wholeDigits: Int
    let fractionDigits: Int
    if value.exponent >= 0 {
      totalDigits = value.digits.count + value.exponent
      wholeDigits = totalDigits
      fractionDigits = 0
    } else if value.digits.count > -value.exponent {
      totalDigits = value.digits.count
      wholeDigits = totalDigits + value.exponent
      fractionDigits = -value.exponent
    } else {
      totalDigits = -value.exponent
      wholeDigits = 0
      fractionDigits = totalDigits
    }
    if totalDigits > maxDigits {
      throw FieldMessages("Ensure that there are no more than \(maxDigits) digits in total.")
    }
    if fractionDigits > decimalPlaces {
      throw FieldMessages("Ensure that there are no more than \(decimalPlaces) decimal places.")
    }
    let maxWholeDigits = maxDigits - decimalPlaces
    if wholeDigits > maxWholeDigits {
      throw FieldMessages(
        "Ensure that there are no more than \(maxWholeDigits) digits before the decimal point.")
    }
    // At most 10 digits: the scaled coefficient fits an Int64 comfortably.
    var cents: Int64 = 0
    for digit in value.digits { cents = cents * 10 + Int64(digit) }
    for _ in 0..<(value.exponent + decimalPlaces) { cents *= 10 }
    if value.isNegative && cents != 0 {
      throw FieldMessages("Ensure this value is greater than or equal to 0.")
    }
    return Money(cents: cents)
  }
}

/// The messages of one field that failed validation, in DRF's words.
public struct FieldMessages: Error, Sendable, Equatable {
  /// The messages, in the order DRF reports them.
  public var messages: [String]
  /// One message.
  public init(_ message: String) { self.messages = [message] }
  /// Several messages.
  public init(_ messages: [String]) { self.messages = messages }
}
