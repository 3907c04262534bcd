import Primitives

/// One loop's scratch line: the timestamp and fixed words stay in place between lines (the
/// timestamp is rewritten when the second changes), the rest is written after them.
// Used only by the thread of its loop, the single producer of that loop's ring.
final class AccessLogLine: @unchecked Sendable {
  /// The longest line built: timestamp, fixed words, the longest path, the request id and the
  /// numbers fit.
  private let capacity: Int
  private let bytes: UnsafeMutablePointer<UInt8>
  private let timestampAt: Int
  private let fixedCount: Int
  private let json: Bool
  private var second = Int.min
  private var offset = Int.min

  init(format: AccessLogFormat) {
    let leading = format.leading
    let middle = format.middle(level: format.level)
    json = format.style == .json
    timestampAt = leading.count
    fixedCount = leading.count + AccessLogTimestamp.count + middle.count
    // Escaped in JSON, a path byte may take 5 bytes (`\\xHH`), within the same limit.
    capacity =
      fixedCount + AccessLogFormat.maximumPathBytes + Self.maximumMethodBytes
      + RequestID.maximumClientLength + 256
    bytes = .allocate(capacity: capacity)
    leading.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { bytes.update(from: base, count: source.count) }
    }
    middle.withUnsafeBufferPointer { source in
      (bytes + timestampAt + AccessLogTimestamp.count).update(
        from: source.baseAddress!, count: source.count)
    }
  }

  deinit { bytes.deallocate() }

  /// Builds the line and returns it (valid until the next call).
  func build(
    method: HTTPMethod, path: String, status: Int, bodyBytes: Int, microseconds: Int, loop: Int,
    requestID: RequestID, seconds: Int, utcOffset: Int
  ) -> UnsafeRawBufferPointer {
    if seconds != second || utcOffset != offset {
      AccessLogTimestamp.write(seconds: seconds, utcOffset: utcOffset, into: bytes + timestampAt)
      second = seconds
      offset = utcOffset
    }
    var at = fixedCount
    if let name = method.knownName {
      at = put(name, at)
    } else {
      at = putEscaped(method.rawValue, at, limit: Self.maximumMethodBytes)
    }
    if json {
      at = put(#"","path":""#, at)
      at = putEscaped(path, at, limit: AccessLogFormat.maximumPathBytes)
      at = put(#"","status":"#, at)
      at = putNumber(status, at)
      at = put(#","bytes":"#, at)
      at = putNumber(bodyBytes, at)
      at = put(#","microseconds":"#, at)
      at = putNumber(microseconds, at)
      at = put(#","loop":"#, at)
      at = putNumber(loop, at)
      at = put(#","request_id":""#, at)
      at = putRequestID(requestID, at)
      at = put(#""}"#, at)
    } else {
      bytes[at] = UInt8(ascii: " ")
      at = putEscaped(path, at + 1, limit: AccessLogFormat.maximumPathBytes)
      bytes[at] = UInt8(ascii: " ")
      at = putNumber(status, at + 1)
      bytes[at] = UInt8(ascii: " ")
      at = putNumber(bodyBytes, at + 1)
      at = put("B ", at)
      at = putNumber(microseconds, at)
      at = put("us loop=", at)
      at = putNumber(loop, at)
      at = put(" id=", at)
      at = putRequestID(requestID, at)
    }
    bytes[at] = UInt8(ascii: "\n")
    return UnsafeRawBufferPointer(start: bytes, count: at + 1)
  }

  /// A made id as its hex digits; a client's (sane, so nothing to escape) as sent.
  private func putRequestID(_ id: RequestID, _ at: Int) -> Int {
    if case .client(let value) = id {
      return putEscaped(value, at, limit: RequestID.maximumClientLength + 3)
    }
    return at + id.write(into: bytes + at)
  }

  private func put(_ text: StaticString, _ at: Int) -> Int {
    (bytes + at).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
    return at + text.utf8CodeUnitCount
  }

  private func putNumber(_ value: Int, _ at: Int) -> Int {
    guard value > 0 else {
      bytes[at] = UInt8(ascii: "0")
      return at + 1
    }
    var count = 0
    var rest = value
    while rest > 0 {
      count += 1
      rest /= 10
    }
    rest = value
    for position in stride(from: at + count - 1, through: at, by: -1) {
      bytes[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
    }
    return at + count
  }

  /// Room for a method the client made up (escaped like the path, `...` beyond).
  static let maximumMethodBytes = 32

  /// Writes `text` with bytes outside printable ASCII, `"` and `\` as `\xHH` (in JSON lines
  /// `\\xHH`, whose value is `\xHH`), in at most `limit` bytes (`...` marks a cut).
  private func putEscaped(_ text: String, _ start: Int, limit maximum: Int) -> Int {
    let limit = start + maximum
    var at = start
    let escapeLength = json ? 5 : 4
    for byte in text.utf8 {
      let plain =
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
      if at + (plain ? 1 : escapeLength) > limit - 3 {
        return put("...", at)
      }
      if plain {
        bytes[at] = byte
        at += 1
      } else {
        bytes[at] = UInt8(ascii: "\\")
        if json {
          at += 1
          bytes[at] = UInt8(ascii: "\\")
        }
        bytes[at + 1] = UInt8(ascii: "x")
        bytes[at + 2] = Hex.digit(byte >> 4, uppercase: true)
        bytes[at + 3] = Hex.digit(byte & 0x0F, uppercase: true)
        at += 4
      }
    }
    return at
  }
}
