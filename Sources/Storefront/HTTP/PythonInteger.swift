/// A non-negative integer as Python's `int(text)` reads it (ASCII digits, surrounding
/// whitespace, one sign, at most 4300 digits), kept exactly: DRF's pagination parses `limit`
/// and `offset` so and prints them back into its links.
struct PythonInteger: Sendable, Equatable {
  /// The digits without leading zeros (`"0"` for zero).
  let digits: String
  /// The value, saturated at `Int.max`.
  let value: Int

  /// Python's `int_max_str_digits`.
  static let maximumDigits = 4300

  /// Nil when `text` is not an integer or is negative (DRF's `_positive_int` refuses both).
  init?(_ text: String) {
    var bytes = Substring(text).utf8[...]
    while let first = bytes.first, Self.isSpace(first) { bytes = bytes.dropFirst() }
    while let last = bytes.last, Self.isSpace(last) { bytes = bytes.dropLast() }
    var negative = false
    if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
      negative = first == UInt8(ascii: "-")
      bytes = bytes.dropFirst()
    }
    guard !bytes.isEmpty, bytes.count <= Self.maximumDigits,
      bytes.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 })
    else { return nil }
    let significant = bytes.drop { $0 == UInt8(ascii: "0") }
    if negative && !significant.isEmpty { return nil }
    digits = significant.isEmpty ? "0" : String(decoding: significant, as: UTF8.self)
    value = digits.utf8.count > 18 ? Int.max : Int(digits)!
  }

  /// `value` as an exact integer.
  init(_ value: Int) {
    self.value = value
    digits = String(value)
  }

  private init(digits: String) {
    self.digits = digits
    value = digits.utf8.count > 18 ? Int.max : Int(digits)!
  }

  /// ASCII whitespace (Python's `int` also strips Unicode spaces; query values rarely hold them).
  private static func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte) || (0x1C...0x1F).contains(byte)
  }

  /// `self - amount` for `amount <= self`, exactly (schoolbook subtraction on the digits).
  func subtracting(_ amount: Int) -> PythonInteger {
    if digits.utf8.count <= 18 { return PythonInteger(value - amount) }
    var result = Array(digits.utf8)
    var borrow = amount
    var index = result.count - 1
    while borrow > 0, index >= 0 {
      let digit = Int(result[index] - UInt8(ascii: "0"))
      let take = borrow % 10
      borrow /= 10
      if digit >= take {
        result[index] = UInt8(ascii: "0") + UInt8(digit - take)
      } else {
        result[index] = UInt8(ascii: "0") + UInt8(digit + 10 - take)
        borrow += 1
      }
      index -= 1
    }
    let trimmed = result.drop { $0 == UInt8(ascii: "0") }
    return PythonInteger(digits: trimmed.isEmpty ? "0" : String(decoding: trimmed, as: UTF8.self))
  }
}
