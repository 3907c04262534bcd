/// A strict RFC 8259 parser working directly on UTF-8 bytes.
///
/// Rejects what Python's `json` (behind Django REST framework) rejects, with the same messages:
/// also `NaN`/`Infinity` (DRF's strict constants) and integers longer than
/// ``maximumIntegerDigits``; and, deliberately unlike Python, unpaired `\u` surrogates and
/// nesting deeper than ``maximumDepth`` (where Python would raise `RecursionError`, a 500).
/// Numbers are kept as their literal text. For duplicate member names the last value wins, at the
/// position of the first (like a Python `dict`).
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"price": 19.99}"#.utf8))
/// ```
public enum JSONParser {
  /// The deepest nesting of arrays and objects accepted.
  public static let maximumDepth = 512

  /// The most digits an integer literal may have: Python's default `int_max_str_digits`, so
  /// DRF refuses longer ones (fractions and exponents make a float there, and are not limited).
  public static let maximumIntegerDigits = 4300

  /// Parses one complete JSON document (surrounding whitespace allowed).
  ///
  /// An incomplete UTF-8 sequence at the very end is ignored, as DRF ignores it: it reads the
  /// body through a UTF-8 `codecs` stream reader, which leaves such a tail undecoded.
  public static func parse(_ body: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
    let decodedCount = body.count - UTF8Validation.incompleteTailLength(of: body)
    let bytes = UnsafeRawBufferPointer(rebasing: body[..<decodedCount])
    var scanner = JSONScanner(bytes)
    do throws(JSONParseError) {
      if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
        throw scanner.error(.byteOrderMark, at: 0)
      }
      let value = try scanner.parseValue()
      scanner.skipWhitespace()
      if scanner.index < scanner.count { throw scanner.error(.extraData, at: scanner.index) }
      return value
    } catch {
      throw preferringUTF8Error(error, in: body, before: decodedCount)
    }
  }

  /// Parses one complete JSON document (surrounding whitespace allowed).
  public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    let result = bytes.withUnsafeBytes { buffer in
      Result { () throws(JSONParseError) in try parse(buffer) }
    }
    return try result.get()
  }

  /// Parses one complete JSON document from any byte collection.
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
    let result = bytes.withContiguousStorageIfAvailable { buffer in
      Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
    }
    if let result { return try result.get() }
    return try parse(Array(bytes))
  }

  /// Parses the UTF-8 of `text` as one complete JSON document.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  /// Parses one value starting at `offset` (after optional whitespace) and moves `offset` just
  /// past it. Text after the value is not examined; error positions are relative to `bytes`.
  public static func parseValue(
    in bytes: UnsafeRawBufferPointer, at offset: inout Int
  ) throws(JSONParseError) -> JSONValue {
    var scanner = JSONScanner(bytes)
    scanner.index = offset
    do {
      let value = try scanner.parseValue()
      offset = scanner.index
      return value
    } catch {
      throw preferringUTF8Error(error, in: bytes, before: bytes.count)
    }
  }

  /// Python decodes the whole body before parsing, so any UTF-8 problem wins over a syntax error
  /// (the first one in all of `bytes`, as the decoder sees it, unless it is the ignored tail
  /// from `limit` on).
  private static func preferringUTF8Error(
    _ error: JSONParseError, in bytes: UnsafeRawBufferPointer, before limit: Int
  ) -> JSONParseError {
    if let (offset, kind) = UTF8Validation.firstProblem(in: bytes), offset < limit {
      return JSONParseError.at(offset, kind, in: bytes)
    }
    return error
  }
}

/// The recursive-descent scanner behind ``JSONParser``. Containers collect their elements on
/// shared scratch stacks, so each array or object costs one exactly-sized allocation.
struct JSONScanner {
  let bytes: UnsafeRawBufferPointer
  let base: UnsafePointer<UInt8>
  let count: Int
  var index = 0
  var depth = 0
  var values: [JSONValue] = []
  var members: [JSONObject.Member] = []
  /// Raw byte range of each key on `members` (negative count: the key had escapes).
  var keySpans: [(start: Int, count: Int)] = []
  var scratch: [UInt8] = []

  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    self.count = bytes.count
    if let address = bytes.baseAddress {
      self.base = address.assumingMemoryBound(to: UInt8.self)
    } else {
      // Never dereferenced: every read is guarded by `index < count`, and count is 0 here.
      self.base = UnsafePointer(bitPattern: 1)!
    }
  }

  func error(_ kind: JSONParseError.Kind, at offset: Int) -> JSONParseError {
    JSONParseError.at(offset, kind, in: bytes)
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while index < count {
      switch base[index] {
      case 0x20, 0x0A, 0x0D, 0x09: index += 1
      default: return
      }
    }
  }

  mutating func parseValue() throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    guard index < count else { throw error(.expectingValue, at: index) }
    switch base[index] {
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "N"):
      if matches("NaN") { throw error(.outOfRangeFloat("NaN"), at: index) }
    case UInt8(ascii: "I"):
      if matches("Infinity") { throw error(.outOfRangeFloat("Infinity"), at: index) }
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try parseNumber()
    default: break
    }
    throw error(.expectingValue, at: index)
  }

  private func matches(_ literal: StaticString) -> Bool {
    let length = literal.utf8CodeUnitCount
    guard count - index >= length else { return false }
    let pointer = literal.utf8Start
    for offset in 0..<length where base[index + offset] != pointer[offset] { return false }
    return true
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
    guard matches(literal) else { throw error(.expectingValue, at: index) }
    index += literal.utf8CodeUnitCount
  }

  @inline(__always)
  private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

  /// Python's number pattern: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`, longest match.
  private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
    let start = index
    if base[index] == UInt8(ascii: "-") {
      index += 1
      if matches("Infinity") { throw error(.outOfRangeFloat("-Infinity"), at: start) }
    }
    guard index < count, isDigit(base[index]) else { throw error(.expectingValue, at: start) }
    let digitsStart = index
    if base[index] == UInt8(ascii: "0") {
      index += 1
    } else {
      while index < count, isDigit(base[index]) { index += 1 }
    }
    let integerDigits = index - digitsStart
    var isInteger = true
    if index + 1 < count, base[index] == UInt8(ascii: "."), isDigit(base[index + 1]) {
      isInteger = false
      index += 2
      while index < count, isDigit(base[index]) { index += 1 }
    }
    if index < count, base[index] | 0x20 == UInt8(ascii: "e") {
      var next = index + 1
      if next < count, base[next] == UInt8(ascii: "+") || base[next] == UInt8(ascii: "-") {
        next += 1
      }
      if next < count, isDigit(base[next]) {
        isInteger = false
        while next < count, isDigit(base[next]) { next += 1 }
        index = next
      }
    }
    if isInteger, integerDigits > JSONParser.maximumIntegerDigits {
      throw error(.integerTooLong(digits: integerDigits), at: start)
    }
    return .number(
      String(
        decoding: UnsafeBufferPointer(start: base + start, count: index - start), as: UTF8.self))
  }

  /// Parses a string at `index` (on its opening quote) and returns its contents.
  mutating func parseString() throws(JSONParseError) -> String {
    let quote = index
    index += 1
    let contentStart = index
    while index < count {
      let byte = base[index]
      if byte == UInt8(ascii: "\"") {
        let text = String(
          decoding: UnsafeBufferPointer(start: base + contentStart, count: index - contentStart),
          as: UTF8.self)
        index += 1
        return text
      }
      if byte == UInt8(ascii: "\\") {
        return try parseEscapedString(quote: quote, from: contentStart)
      }
      if byte < 0x20 { throw error(.invalidControlCharacter, at: index) }
      if byte < 0x80 {
        index += 1
      } else {
        let (length, problem) = UTF8Validation.sequenceLength(base, index, count)
        if let problem { throw error(problem, at: index) }
        index += length
      }
    }
    throw error(.unterminatedString, at: quote)
  }

  /// The slow path for strings with escapes: decodes into `scratch`.
  private mutating func parseEscapedString(
    quote: Int, from contentStart: Int
  ) throws(JSONParseError) -> String {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(
      contentsOf: UnsafeBufferPointer(start: base + contentStart, count: index - contentStart))
    while index < count {
      let byte = base[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: scratch, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try parseEscape(quote: quote)
      case 0..<0x20:
        throw error(.invalidControlCharacter, at: index)
      case 0x20..<0x80:
        scratch.append(byte)
        index += 1
      default:
        let (length, problem) = UTF8Validation.sequenceLength(base, index, count)
        if let problem { throw error(problem, at: index) }
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + index, count: length))
        index += length
      }
    }
    throw error(.unterminatedString, at: quote)
  }

  /// Decodes one escape at `index` (on the backslash) into `scratch`.
  private mutating func parseEscape(quote: Int) throws(JSONParseError) {
    let backslash = index
    guard index + 1 < count else { throw error(.unterminatedString, at: quote) }
    let code = base[index + 1]
    index += 2
    switch code {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(code)
    case UInt8(ascii: "b"): scratch.append(0x08)
    case UInt8(ascii: "f"): scratch.append(0x0C)
    case UInt8(ascii: "n"): scratch.append(0x0A)
    case UInt8(ascii: "r"): scratch.append(0x0D)
    case UInt8(ascii: "t"): scratch.append(0x09)
    case UInt8(ascii: "u"):
      let unitAt = backslash + 1
      guard let unit = hex4(at: index) else { throw error(.invalidUnicodeEscape, at: unitAt) }
      index += 4
      var scalarValue = UInt32(unit)
      if unit >= 0xD800 && unit < 0xDC00 {
        guard index + 1 < count, base[index] == UInt8(ascii: "\\"),
          base[index + 1] == UInt8(ascii: "u")
        else { throw error(.unpairedSurrogate, at: unitAt) }
        guard let low = hex4(at: index + 2) else {
          throw error(.invalidUnicodeEscape, at: index + 1)
        }
        guard low >= 0xDC00 && low < 0xE000 else { throw error(.unpairedSurrogate, at: unitAt) }
        index += 6
        scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
      } else if unit >= 0xDC00 && unit < 0xE000 {
        throw error(.unpairedSurrogate, at: unitAt)
      }
      scratch.append(contentsOf: Unicode.UTF8.encode(Unicode.Scalar(scalarValue)!)!)
    default:
      throw error(.invalidEscape, at: backslash)
    }
  }

  /// Four hex digits at `offset`, which Python only reads with something after them (else the
  /// string is unterminated, and Python calls the escape invalid).
  private func hex4(at offset: Int) -> UInt16? {
    guard offset + 4 < count else { return nil }
    var value: UInt16 = 0
    for position in offset..<(offset + 4) {
      let byte = base[position]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: return nil
      }
      value = value << 4 | UInt16(digit)
    }
    return value
  }

  private mutating func enterContainer() throws(JSONParseError) {
    depth += 1
    if depth > JSONParser.maximumDepth { throw error(.tooDeep, at: index) }
    index += 1
  }

  private mutating func parseArray() throws(JSONParseError) -> JSONValue {
    try enterContainer()
    defer { depth -= 1 }
    skipWhitespace()
    if index < count, base[index] == UInt8(ascii: "]") {
      index += 1
      return .array([])
    }
    let start = values.count
    while true {
      values.append(try parseValue())
      skipWhitespace()
      guard index < count else { throw error(.expectingComma, at: index) }
      let byte = base[index]
      index += 1
      if byte == UInt8(ascii: "]") { break }
      guard byte == UInt8(ascii: ",") else { throw error(.expectingComma, at: index - 1) }
    }
    let elements = Array(values[start...])
    values.removeSubrange(start...)
    return .array(elements)
  }

  private mutating func parseObject() throws(JSONParseError) -> JSONValue {
    try enterContainer()
    defer { depth -= 1 }
    skipWhitespace()
    if index < count, base[index] == UInt8(ascii: "}") {
      index += 1
      return .object(JSONObject())
    }
    let start = members.count
    while true {
      guard index < count, base[index] == UInt8(ascii: "\"") else {
        throw error(.expectingPropertyName, at: index)
      }
      let keyStart = index + 1
      let key = try parseString()
      let keyLength = index - 1 - keyStart
      // Escapes always shorten a key, so equal lengths mean the raw bytes are the key.
      let span = (start: keyStart, count: key.utf8.count == keyLength ? keyLength : -1)
      skipWhitespace()
      guard index < count, base[index] == UInt8(ascii: ":") else {
        throw error(.expectingColon, at: index)
      }
      index += 1
      let value = try parseValue()
      // The span goes on with its member, after the value: a nested object uses (and then
      // truncates) both stacks above its own start, so they must stay the same height.
      members.append(JSONObject.Member(key, value))
      keySpans.append(span)
      skipWhitespace()
      guard index < count else { throw error(.expectingComma, at: index) }
      let byte = base[index]
      index += 1
      if byte == UInt8(ascii: "}") { break }
      guard byte == UInt8(ascii: ",") else { throw error(.expectingComma, at: index - 1) }
      skipWhitespace()
    }
    let object: JSONObject
    if hasDuplicateKeys(from: start) {
      object = mergingDuplicates(from: start)
    } else {
      object = JSONObject(Array(members[start...]))
    }
    members.removeSubrange(start...)
    keySpans.removeSubrange(start...)
    return .object(object)
  }

  /// Compares raw key bytes, so the common case (no duplicates) costs a few integer compares.
  /// Pairwise only up to 32 members (each key byte is compared at most 31 times), hashed above.
  private func hasDuplicateKeys(from start: Int) -> Bool {
    assert(keySpans.count == members.count, "key spans and members out of step")
    let end = keySpans.count
    if end - start < 2 { return false }
    if end - start > 32 { return Set(members[start...].map(\.key)).count != end - start }
    for later in (start + 1)..<end {
      let (laterStart, laterCount) = keySpans[later]
      for earlier in start..<later {
        let (earlierStart, earlierCount) = keySpans[earlier]
        if laterCount < 0 || earlierCount < 0 {
          if members[later].key == members[earlier].key { return true }
        } else if laterCount == earlierCount,
          memcmpBytes(base + laterStart, base + earlierStart, laterCount)
        {
          return true
        }
      }
    }
    return false
  }

  private func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for offset in 0..<n where a[offset] != b[offset] { return false }
    return true
  }

  /// Python `dict` semantics: the last value wins, kept at the first occurrence's position.
  private func mergingDuplicates(from start: Int) -> JSONObject {
    var result: [JSONObject.Member] = []
    var positions: [String: Int] = [:]
    for member in members[start...] {
      if let position = positions[member.key] {
        result[position].value = member.value
      } else {
        positions[member.key] = result.count
        result.append(member)
      }
    }
    return JSONObject(result)
  }
}
