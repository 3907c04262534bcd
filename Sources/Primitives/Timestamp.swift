#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A UTC instant with microsecond precision, rendered as `2026-01-14T05:07:06.527149Z`: the
/// time of a log record and of the domain's fields (DRF renders a `DateTimeField` so).
///
/// ```swift
/// let stamp = Timestamp(microseconds: 1_795_824_784_123_456)
/// stamp.description                         // "2026-11-28T00:13:04.123456Z"
/// Timestamp(iso8601: stamp.description)     // == stamp
/// ```
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Microseconds since 1970-01-01T00:00:00Z.
  public var microseconds: Int64

  /// The instant `microseconds` after the Unix epoch.
  public init(microseconds: Int64) { self.microseconds = microseconds }

  /// The current wall-clock time.
  public static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.microseconds < rhs.microseconds
  }

  /// This instant plus `seconds`.
  public func adding(seconds: Int64) -> Timestamp {
    Timestamp(microseconds: microseconds + seconds * 1_000_000)
  }

  /// The length of ``description`` (always 27 for years 0000-9999).
  public static let textLength = 27

  /// ISO 8601 in UTC with six fraction digits and `Z`, e.g. `2026-11-28T00:13:04.123456Z`.
  public var description: String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Timestamp.textLength)
    append(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends ``description``'s bytes (without quotes).
  public func append(to bytes: inout [UInt8]) {
    var seconds = microseconds / 1_000_000
    var fraction = microseconds % 1_000_000
    if fraction < 0 {
      fraction += 1_000_000
      seconds -= 1
    }
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: Timestamp.textLength))
    bytes.withUnsafeMutableBufferPointer { buffer in
      let out = buffer.baseAddress! + start
      CivilTime(secondsSince1970: seconds).write(into: out)
      out[19] = UInt8(ascii: ".")
      CivilTime.writeDigits(fraction, 6, into: out + 20)
      out[26] = UInt8(ascii: "Z")
    }
  }

  /// Parses exactly the form of ``description``; nil otherwise.
  public init?(iso8601 text: String) {
    var text = text
    guard let parsed = text.withUTF8({ Timestamp(iso8601: UnsafeRawBufferPointer($0)) }) else {
      return nil
    }
    self = parsed
  }

  /// Parses exactly the form of ``description``; nil otherwise.
  public init?(iso8601 bytes: UnsafeRawBufferPointer) {
    guard bytes.count == Timestamp.textLength else { return nil }
    func number(_ start: Int, _ count: Int) -> Int64? {
      var value: Int64 = 0
      for index in start..<(start + count) {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        value = value * 10 + Int64(digit)
      }
      return value
    }
    let separators: [(Int, UInt8)] = [
      (4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")),
      (13, UInt8(ascii: ":")), (16, UInt8(ascii: ":")), (19, UInt8(ascii: ".")),
      (26, UInt8(ascii: "Z")),
    ]
    for (index, byte) in separators where bytes[index] != byte { return nil }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
      let fraction = number(20, 6), (1...12).contains(month), (1...31).contains(day), hour < 24,
      minute < 60, second < 61
    else { return nil }
    let time = CivilTime(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    self.init(microseconds: time.secondsSince1970 * 1_000_000 + fraction)
  }
}
