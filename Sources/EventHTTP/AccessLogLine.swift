import Primitives

/// One loop's scratch line: the timestamp and fixed words stay in place between lines (the
/// timestamp is rewritten when the second changes), the rest is written after them.
// Used only by the thread of its loop, the single producer of that loop's ring.
final class AccessLogLine: @unchecked Sendable {
  /// The longest line built: timestamp, fixed words, the longest path and the numbers fit.
  private let capacity: Int
  private let bytes: UnsafeMutablePointer<UInt8>
  private let fixedCount: Int
  private var second = Int.min
  private var offset = Int.min

  init(middle: [UInt8]) {
    fixedCount = AccessLogTimestamp.count + middle.count
    capacity = fixedCount + AccessLogFormat.maximumPathBytes + Self.maximumMethodBytes + 128
    bytes = .allocate(capacity: capacity)
    middle.withUnsafeBufferPointer { source in
      (bytes + AccessLogTimestamp.count).update(from: source.baseAddress!, count: source.count)
    }
  }

  deinit { bytes.deallocate() }

  /// Builds the line and returns it (valid until the next call).
  func build(
    method: HTTPMethod, path: String, status: Int, bodyBytes: Int, microseconds: Int, loop: Int,
    seconds: Int, utcOffset: Int
  ) -> UnsafeRawBufferPointer {
    if seconds != second || utcOffset != offset {
      AccessLogTimestamp.write(seconds: seconds, utcOffset: utcOffset, into: bytes)
      second = seconds
      offset = utcOffset
    }
    var at = fixedCount
    if let name = method.knownName {
      at = put(name, at)
    } else {
      at = putEscaped(method.rawValue, at, limit: Self.maximumMethodBytes)
    }
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
    bytes[at] = UInt8(ascii: "\n")
    return UnsafeRawBufferPointer(start: bytes, count: at + 1)
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

  /// Writes `text` with bytes outside printable ASCII, `"` and `\` as `\xHH`, in at most
  /// `limit` bytes (`...` marks a cut).
  private func putEscaped(_ text: String, _ start: Int, limit maximum: Int) -> Int {
    let limit = start + maximum
    var at = start
    for byte in text.utf8 {
      let plain =
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
      if at + (plain ? 1 : 4) > limit - 3 {
        return put("...", at)
      }
      if plain {
        bytes[at] = byte
        at += 1
      } else {
        bytes[at] = UInt8(ascii: "\\")
        bytes[at + 1] = UInt8(ascii: "x")
        bytes[at + 2] = Hex.digit(byte >> 4, uppercase: true)
        bytes[at + 3] = Hex.digit(byte & 0x0F, uppercase: true)
        at += 4
      }
    }
    return at
  }
}
