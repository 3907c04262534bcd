/// A decimal number as Python's `decimal.Decimal` reads it from text: sign, coefficient digits
/// (leading zeros removed) and exponent. DRF's `DecimalField` and `IntegerField` judge their input
/// through this representation, so following it gives the same accept/reject decisions.
struct DecimalLiteral: Equatable, Sendable {
  var isNegative: Bool
  /// Coefficient digits 0...9, most significant first, without leading zeros (`[0]` for zero).
  var digits: [UInt8]
  /// The power of ten the coefficient is multiplied by.
  var exponent: Int

  /// Parses `sign? (digits ['.' digits?] | '.' digits) ([eE] sign? digits)?` after trimming
  /// whitespace. Returns `nil` for anything else, including `NaN` and `Infinity`, which DRF rejects.
  init?(_ text: some StringProtocol) {
    let bytes = Array(trimmedWhitespace(String(text)).utf8)
    var index = 0
    var negative = false
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
      negative = bytes[index] == UInt8(ascii: "-")
      index += 1
    }
    var integerDigits: [UInt8] = []
    while index < bytes.count, let digit = Self.digit(bytes[index]) {
      integerDigits.append(digit)
      index += 1
    }
    var fractionDigits: [UInt8] = []
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      while index < bytes.count, let digit = Self.digit(bytes[index]) {
        fractionDigits.append(digit)
        index += 1
      }
    }
    guard !integerDigits.isEmpty || !fractionDigits.isEmpty else { return nil }
    var exponent = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      var exponentNegative = false
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        exponentNegative = bytes[index] == UInt8(ascii: "-")
        index += 1
      }
      var sawDigit = false
      while index < bytes.count, let digit = Self.digit(bytes[index]) {
        sawDigit = true
        // Saturate: an exponent this large fails every precision check anyway.
        if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(digit) }
        index += 1
      }
      guard sawDigit else { return nil }
      if exponentNegative { exponent = -exponent }
    }
    guard index == bytes.count else { return nil }
    var coefficient = integerDigits + fractionDigits
    let firstNonZero = coefficient.firstIndex(where: { $0 != 0 }) ?? (coefficient.count - 1)
    coefficient.removeFirst(firstNonZero)
    self.isNegative = negative
    self.digits = coefficient
    self.exponent = exponent - fractionDigits.count
  }

  private static func digit(_ byte: UInt8) -> UInt8? {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
  }

  var isZero: Bool { digits == [0] }

  /// Removes trailing zeros of the fraction (`5.50` -> `5.5`, `100.0` -> `100`), as a JSON number
  /// read through a Python float and printed back would lose them.
  func droppingFractionTrailingZeros() -> DecimalLiteral {
    var copy = self
    while copy.exponent < 0, copy.digits.count > 1, copy.digits.last == 0 {
      copy.digits.removeLast()
      copy.exponent += 1
    }
    if copy.isZero { copy.exponent = max(copy.exponent, 0) }
    return copy
  }

  /// The value as an integer when it has no fractional part; saturates at `Int.max`/`Int.min`.
  var integerValue: Int? {
    var digits = self.digits
    if exponent < 0 {
      let dropped = min(-exponent, digits.count)
      guard digits.suffix(dropped).allSatisfy({ $0 == 0 }) else { return nil }
      digits.removeLast(dropped)
      if digits.isEmpty { return 0 }
    }
    if digits == [0] { return 0 }
    let zeros = max(exponent, 0)
    guard digits.count + zeros <= 18 else { return isNegative ? Int.min : Int.max }
    var value = 0
    for digit in digits { value = value * 10 + Int(digit) }
    for _ in 0..<zeros { value *= 10 }
    return isNegative ? -value : value
  }
}

/// Strips leading and trailing whitespace as Python's `str.strip()` does.
func trimmedWhitespace(_ text: String) -> String {
  let scalars = text.unicodeScalars
  guard let first = scalars.firstIndex(where: { !isPythonWhitespace($0) }) else { return "" }
  let last = scalars.lastIndex(where: { !isPythonWhitespace($0) })!
  return String(scalars[first...last])
}

func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
  scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
}
