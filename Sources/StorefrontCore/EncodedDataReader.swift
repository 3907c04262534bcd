import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads an event's `data` exactly as `ShopEvent.encodeData()` writes it (members in the
/// writer's order, no whitespace, strings without escapes), straight from the bytes of a log
/// line. Every method returns nil on anything else, and the caller then gives the line to the
/// general path (`JSONParser` and `ShopEvent(type:data:)`), which decides what it means. So
/// whatever this reader accepts is valid JSON that the general path decodes to the same value.
struct EncodedDataReader {
  private let base: UnsafePointer<UInt8>
  private let count: Int
  private var index = 0

  init?(_ bytes: UnsafeRawBufferPointer) {
    guard let address = bytes.baseAddress, !bytes.isEmpty else { return nil }
    base = address.assumingMemoryBound(to: UInt8.self)
    count = bytes.count
  }

  /// True when every byte was read.
  var atEnd: Bool { index == count }

  /// Consumes `literal` (`{"id":`, `,"items":[`, ...) if the bytes continue with it.
  mutating func expect(_ literal: StaticString) -> Bool {
    let length = literal.utf8CodeUnitCount
    guard count - index >= length,
      memcmp(base + index, literal.utf8Start, length) == 0
    else { return false }
    index += length
    return true
  }

  /// The next byte, consumed if it is `byte`.
  mutating func skip(_ byte: UInt8) -> Bool {
    guard index < count, base[index] == byte else { return false }
    index += 1
    return true
  }

  /// A JSON integer (`-?(0|[1-9][0-9]*)`) that fits an `Int`, not followed by a fraction or an
  /// exponent (the general path would not read those as integers either).
  mutating func int() -> Int? {
    var position = index
    let negative = position < count && base[position] == UInt8(ascii: "-")
    if negative { position += 1 }
    let digitsStart = position
    var magnitude: UInt64 = 0
    while position < count, base[position] &- UInt8(ascii: "0") < 10 {
      if position - digitsStart == 19 { return nil }  // more digits than any Int has
      magnitude = magnitude &* 10 &+ UInt64(base[position] &- UInt8(ascii: "0"))
      position += 1
    }
    let digits = position - digitsStart
    guard digits > 0, digits == 1 || base[digitsStart] != UInt8(ascii: "0") else { return nil }
    if position < count, base[position] == UInt8(ascii: ".") || base[position] | 0x20 == 0x65 {
      return nil
    }
    let value: Int
    if negative {
      guard magnitude <= UInt64(Int.max) + 1 else { return nil }
      value = magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
    } else {
      guard magnitude <= UInt64(Int.max) else { return nil }
      value = Int(magnitude)
    }
    index = position
    return value
  }

  /// An integer, or nil for `null` (`.some(nil)`); nil when neither.
  mutating func optionalInt() -> Int?? {
    if expect("null") { return .some(nil) }
    return int().map { .some($0) }
  }

  /// The bytes of a string of printable ASCII without escapes, its quotes consumed.
  private mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
    guard index < count, base[index] == UInt8(ascii: "\"") else { return nil }
    var position = index + 1
    while position < count {
      let byte = base[position]
      if byte == UInt8(ascii: "\"") {
        let text = UnsafeBufferPointer(start: base + index + 1, count: position - index - 1)
        index = position + 1
        return text
      }
      // Escapes, control characters and non-ASCII text go the general way.
      guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
      position += 1
    }
    return nil
  }

  /// A string of printable ASCII without escapes.
  mutating func string() -> String? {
    plainString().map { String(decoding: $0, as: UTF8.self) }
  }

  /// A timestamp string in `Timestamp.description`'s form.
  mutating func timestamp() -> Timestamp? {
    guard let text = plainString(),
      let parsed = Timestamp(iso8601: UnsafeRawBufferPointer(text))
    else { return nil }
    return parsed
  }

  /// An order status string.
  mutating func status() -> OrderStatus? {
    guard let text = plainString() else { return nil }
    return OrderStatus(rawValue: String(decoding: text, as: UTF8.self))
  }

  /// An amount as `Money.jsonValue` writes it: `0` or up to 8 digits without a leading zero,
  /// then optionally `.` and 1 or 2 digits (exactly what `Money(literal:)` accepts of that
  /// shape, with the same value).
  mutating func money() -> Money? {
    var position = index
    var cents: Int64 = 0
    let wholeStart = position
    while position < count, base[position] &- UInt8(ascii: "0") < 10 {
      cents = cents * 10 + Int64(base[position] &- UInt8(ascii: "0"))
      position += 1
    }
    let wholeDigits = position - wholeStart
    guard wholeDigits > 0, wholeDigits <= 8,
      wholeDigits == 1 || base[wholeStart] != UInt8(ascii: "0")
    else { return nil }
    var fractionDigits = 0
    if position < count, base[position] == UInt8(ascii: ".") {
      position += 1
      while position < count, base[position] &- UInt8(ascii: "0") < 10 {
        guard fractionDigits < 2 else { return nil }
        cents = cents * 10 + Int64(base[position] &- UInt8(ascii: "0"))
        fractionDigits += 1
        position += 1
      }
      guard fractionDigits > 0 else { return nil }
    }
    if position < count, base[position] | 0x20 == 0x65 { return nil }  // an exponent
    for _ in fractionDigits..<2 { cents *= 10 }
    index = position
    return Money(cents: cents)
  }

  /// A JSON array of `element`s (`[]` allowed), each read by `element`.
  mutating func array<T>(_ element: (inout EncodedDataReader) -> T?) -> [T]? {
    guard skip(UInt8(ascii: "[")) else { return nil }
    var result: [T] = []
    if skip(UInt8(ascii: "]")) { return result }
    repeat {
      guard let value = element(&self) else { return nil }
      result.append(value)
    } while skip(UInt8(ascii: ","))
    guard skip(UInt8(ascii: "]")) else { return nil }
    return result
  }
}
