import Primitives

/// Appends compact JSON to a byte buffer, the way Django REST framework renders it.
///
/// Separators are `,` and `:` without spaces; non-ASCII is written as raw UTF-8; `"`, `\`,
/// control characters and U+2028/U+2029 are escaped. Use ``write(value:)`` for a tree, or the
/// streaming calls on hot paths (commas are inserted for you):
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("id"); writer.int(7)
/// writer.key("price"); writer.number(literal: "19.99")
/// writer.endObject()
/// // writer.bytes == Array(#"{"id":7,"price":19.99}"#.utf8)
/// ```
public struct JSONWriter: Sendable {
  /// Everything written so far.
  public var bytes: [UInt8]
  /// Whether the next value or key needs a `,` before it.
  private var needsComma = false

  /// Starts an empty buffer with room for `capacity` bytes.
  public init(capacity: Int = 256) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  @inline(__always)
  private mutating func separate() {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
  }

  public mutating func beginObject() { open(UInt8(ascii: "{")) }
  public mutating func endObject() { close(UInt8(ascii: "}")) }
  public mutating func beginArray() { open(UInt8(ascii: "[")) }
  public mutating func endArray() { close(UInt8(ascii: "]")) }

  @inline(__always)
  private mutating func open(_ bracket: UInt8) {
    separate()
    bytes.append(bracket)
    needsComma = false
  }

  @inline(__always)
  private mutating func close(_ bracket: UInt8) {
    bytes.append(bracket)
    needsComma = true
  }

  /// Writes a member name and its `:`; the next call writes the member's value.
  public mutating func key(_ name: String) {
    separate()
    appendQuoted(name)
    bytes.append(UInt8(ascii: ":"))
    needsComma = false
  }

  public mutating func string(_ text: String) {
    separate()
    appendQuoted(text)
    needsComma = true
  }

  public mutating func int(_ value: Int) {
    separate()
    appendDecimal(value)
    needsComma = true
  }

  /// Writes a number from its literal text (e.g. `"19.99"`), which must be a valid JSON number.
  public mutating func number(literal: String) {
    separate()
    bytes.append(contentsOf: literal.utf8)
    needsComma = true
  }

  public mutating func bool(_ value: Bool) {
    separate()
    bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    needsComma = true
  }

  public mutating func null() {
    separate()
    bytes.append(contentsOf: "null".utf8)
    needsComma = true
  }

  /// Splices already-encoded JSON (e.g. a cached rendering) in as one value. Not checked.
  public mutating func raw(_ encoded: some Sequence<UInt8>) {
    separate()
    bytes.append(contentsOf: encoded)
    needsComma = true
  }

  /// Writes a whole value tree.
  public mutating func write(value: JSONValue) {
    switch value {
    case .null: null()
    case .bool(let flag): bool(flag)
    case .number(let literal): number(literal: literal)
    case .string(let text): string(text)
    case .array(let elements):
      beginArray()
      for element in elements { write(value: element) }
      endArray()
    case .object(let object):
      beginObject()
      for member in object.members {
        key(member.key)
        write(value: member.value)
      }
      endObject()
    }
  }

  private mutating func appendDecimal(_ value: Int) {
    if value >= 0 && value < 10 {
      bytes.append(UInt8(ascii: "0") &+ UInt8(value))
      return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var magnitude = value.magnitude
      var position = 20
      repeat {
        position -= 1
        digits[position] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      if value < 0 { bytes.append(UInt8(ascii: "-")) }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
    }
  }

  private mutating func appendQuoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { utf8 in
      var runStart = 0
      var index = 0
      let count = utf8.count
      while index < count {
        let byte = utf8[index]
        let needsEscape: Bool
        var escapeLength = 1
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
          needsEscape = true
        } else if byte == 0xE2, index + 2 < count, utf8[index + 1] == 0x80,
          utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9
        {
          needsEscape = true
          escapeLength = 3
        } else {
          needsEscape = false
        }
        if !needsEscape {
          index += 1
          continue
        }
        if runStart < index {
          bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
        }
        appendEscape(for: byte, separatorLow: escapeLength == 3 ? utf8[index + 2] : 0)
        index += escapeLength
        runStart = index
      }
      if runStart < count {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Python's escapes: short forms where they exist, else `\u00XX` in lowercase hex.
  private mutating func appendEscape(for byte: UInt8, separatorLow: UInt8) {
    bytes.append(UInt8(ascii: "\\"))
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
    case 0x0A: bytes.append(UInt8(ascii: "n"))
    case 0x0D: bytes.append(UInt8(ascii: "r"))
    case 0x09: bytes.append(UInt8(ascii: "t"))
    case 0x08: bytes.append(UInt8(ascii: "b"))
    case 0x0C: bytes.append(UInt8(ascii: "f"))
    case 0xE2: bytes.append(contentsOf: (separatorLow == 0xA8 ? "u2028" : "u2029").utf8)
    default:
      bytes.append(contentsOf: "u00".utf8)
      Hex.append(byte, to: &bytes)
    }
  }
}

extension JSONValue {
  /// The compact JSON encoding of this value.
  public func encoded() -> [UInt8] {
    var writer = JSONWriter()
    writer.write(value: self)
    return writer.bytes
  }
}
