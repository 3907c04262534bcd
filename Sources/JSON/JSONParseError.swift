/// Why a document is not valid JSON, worded like Python's `json` module.
///
/// `description` reads like the message Django REST framework puts after `JSON parse error - `:
/// `Expecting value: line 1 column 1 (char 0)`. Line, column and character index count Unicode
/// scalars (as Python does), not bytes; `byteOffset` is the byte position.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of problem.
  public enum Kind: Sendable, Hashable {
    case expectingValue
    case expectingPropertyName
    case expectingColon
    case expectingComma
    case unterminatedString
    case invalidControlCharacter
    case invalidEscape
    case invalidUnicodeEscape
    /// A `\uD800`-`\uDFFF` escape that is not half of a valid surrogate pair.
    case unpairedSurrogate
    case extraData
    /// `NaN`, `Infinity` or `-Infinity` (the literal is carried).
    case outOfRangeFloat(String)
    case byteOrderMark
    /// Arrays and objects nested deeper than `JSONParser.maximumDepth`.
    case tooDeep
    /// An integer literal with more than `JSONParser.maximumIntegerDigits` digits (Python's
    /// `int` refuses to convert it); `digits` is how many it has.
    case integerTooLong(digits: Int)
    /// The bytes are not UTF-8: `byte` is the first offending byte, `length` how many bytes the
    /// bad sequence spans, `reason` Python's codec wording, e.g. `invalid start byte`.
    case invalidUTF8(byte: UInt8, length: Int, reason: String)
  }

  public let kind: Kind
  /// Byte position of the problem in the parsed buffer.
  public let byteOffset: Int
  /// 1-based line number.
  public let line: Int
  /// 1-based column, in Unicode scalars.
  public let column: Int
  /// 0-based index in Unicode scalars (Python's `char`).
  public let character: Int

  public init(kind: Kind, byteOffset: Int, line: Int, column: Int, character: Int) {
    self.kind = kind
    self.byteOffset = byteOffset
    self.line = line
    self.column = column
    self.character = character
  }

  /// The problem without its position, e.g. `Expecting ',' delimiter`.
  public var message: String {
    switch kind {
    case .expectingValue: "Expecting value"
    case .expectingPropertyName: "Expecting property name enclosed in double quotes"
    case .expectingColon: "Expecting ':' delimiter"
    case .expectingComma: "Expecting ',' delimiter"
    case .unterminatedString: "Unterminated string starting at"
    case .invalidControlCharacter: "Invalid control character at"
    case .invalidEscape: "Invalid \\escape"
    case .invalidUnicodeEscape: "Invalid \\uXXXX escape"
    case .unpairedSurrogate: "Unpaired surrogate in \\uXXXX escape"
    case .extraData: "Extra data"
    case .outOfRangeFloat(let literal):
      "Out of range float values are not JSON compliant: '\(literal)'"
    case .byteOrderMark: "Unexpected UTF-8 BOM (decode using utf-8-sig)"
    case .tooDeep: "Nesting deeper than \(JSONParser.maximumDepth) levels"
    case .integerTooLong(let digits):
      "Exceeds the limit (\(JSONParser.maximumIntegerDigits) digits) for integer string conversion: value has \(digits) digits; use sys.set_int_max_str_digits() to increase the limit"
    case .invalidUTF8(_, _, let reason): reason
    }
  }

  public var description: String {
    switch kind {
    case .outOfRangeFloat, .integerTooLong:
      return message
    case .invalidUTF8(let byte, let length, let reason):
      let hex = "0x" + String(byte, radix: 16)
      if length <= 1 {
        return "'utf-8' codec can't decode byte \(hex) in position \(byteOffset): \(reason)"
      }
      return
        "'utf-8' codec can't decode bytes in position \(byteOffset)-\(byteOffset + length - 1): \(reason)"
    default:
      return "\(message): line \(line) column \(column) (char \(character))"
    }
  }
}

extension JSONParseError {
  /// Builds an error for `kind` at `offset`, computing Python-style line/column/char from `bytes`.
  static func at(
    _ offset: Int, _ kind: Kind, in bytes: UnsafeRawBufferPointer
  ) -> JSONParseError {
    var line = 1
    var character = 0
    var lastNewlineCharacter = -1
    let end = min(offset, bytes.count)
    var index = 0
    while index < end {
      let byte = bytes[index]
      if byte & 0xC0 != 0x80 {
        if byte == UInt8(ascii: "\n") {
          line += 1
          lastNewlineCharacter = character
        }
        character += 1
      }
      index += 1
    }
    return JSONParseError(
      kind: kind, byteOffset: offset, line: line, column: character - lastNewlineCharacter,
      character: character)
  }
}
