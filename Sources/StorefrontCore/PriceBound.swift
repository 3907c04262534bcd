/// A `min_price` / `max_price` value read as django-filter's `NumberFilter` reads it
/// (`forms.DecimalField` plus its `MaxValueValidator(1e50)`), turned into an exact bound in
/// cents: no binary float anywhere.
///
/// ```swift
/// let low = try PriceBound.parse("19.995")   // price >= 19.995 means cents >= 2000
/// low.lowerCents                              // 2000
/// ```
public struct PriceBound: Sendable, Hashable {
  /// The smallest whole number of cents at or above the value (saturated far beyond any price).
  public var lowerCents: Int64
  /// The largest whole number of cents at or below the value.
  public var upperCents: Int64

  /// Magnitudes beyond this many cents are beyond every price (at most 10 digits).
  static let saturation: Int64 = 1_000_000_000_000_000

  /// Parses `text`; throws DRF's message list (`Enter a number.`, `Ensure this value is less
  /// than or equal to 1e+50.`).
  public static func parse(_ text: String) throws(FieldMessages) -> PriceBound {
    guard let value = DecimalLiteral(text) else { throw FieldMessages("Enter a number.") }
    if !value.isNegative, !value.isZero, value.exceedsTenToThe50 {
      throw FieldMessages("Ensure this value is less than or equal to 1e+50.")
    }
    // value * 100 = coefficient * 10^(exponent + 2): split into whole cents and a remainder.
    let shift = value.exponent + 2
    var whole: Int64 = 0
    var saturated = false
    var hasFraction = false
    let kept = shift >= 0 ? value.digits.count : max(value.digits.count + shift, 0)
    if value.isZero {
      whole = 0
    } else if kept + max(shift, 0) > 18 {
      saturated = true
    } else {
      for digit in value.digits.prefix(kept) { whole = whole * 10 + Int64(digit) }
      if shift > 0 { for _ in 0..<shift { whole *= 10 } }
      hasFraction = value.digits.dropFirst(kept).contains { $0 != 0 }
    }
    if saturated { whole = saturation }
    if value.isNegative {
      return PriceBound(lowerCents: -whole, upperCents: -whole - (hasFraction ? 1 : 0))
    }
    return PriceBound(lowerCents: whole + (hasFraction ? 1 : 0), upperCents: whole)
  }
}

extension DecimalLiteral {
  /// Whether the magnitude is greater than 10^50.
  var exceedsTenToThe50: Bool {
    if isZero { return false }
    let adjusted = digits.count - 1 + exponent
    if adjusted != 50 { return adjusted > 50 }
    return digits.first! > 1 || digits.dropFirst().contains { $0 != 0 }
  }
}
