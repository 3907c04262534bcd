#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A UTC instant with microsecond precision, written as `2026-11-28T00:13:04.123456Z`.
public struct LogTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Microseconds since 1970-01-01T00:00:00Z.
  public let microsecondsSince1970: Int64

  public init(microsecondsSince1970: Int64) {
    self.microsecondsSince1970 = microsecondsSince1970
  }

  /// The current wall-clock time.
  public static func now() -> LogTimestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return LogTimestamp(
      microsecondsSince1970: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
  }

  /// Seconds since 1970 as a `Double` (e.g. for `Date(timeIntervalSince1970:)`).
  public var secondsSince1970: Double { Double(microsecondsSince1970) / 1_000_000 }

  public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool {
    lhs.microsecondsSince1970 < rhs.microsecondsSince1970
  }

  /// The 27-character ISO 8601 form, e.g. `2026-11-28T00:13:04.123456Z`.
  public var description: String { String(decoding: iso8601Bytes(), as: UTF8.self) }

  /// The length of ``description`` (always 27 for years 0000-9999).
  static let textLength = 27

  func iso8601Bytes() -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(LogTimestamp.textLength)
    append(to: &bytes)
    return bytes
  }

  /// Appends the ISO 8601 form without quotes.
  func append(to bytes: inout [UInt8]) {
    let micros = microsecondsSince1970
    var seconds = micros / 1_000_000
    var fraction = micros % 1_000_000
    if fraction < 0 {
      fraction += 1_000_000
      seconds -= 1
    }
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let (year, month, day) = LogTimestamp.civil(fromDays: days)
    func digits(_ value: Int64, _ width: Int) {
      var divisor: Int64 = 1
      for _ in 1..<width { divisor *= 10 }
      var remaining = value
      while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
        remaining %= divisor
        divisor /= 10
      }
    }
    digits(year, 4)
    bytes.append(UInt8(ascii: "-"))
    digits(month, 2)
    bytes.append(UInt8(ascii: "-"))
    digits(day, 2)
    bytes.append(UInt8(ascii: "T"))
    digits(secondOfDay / 3600, 2)
    bytes.append(UInt8(ascii: ":"))
    digits(secondOfDay / 60 % 60, 2)
    bytes.append(UInt8(ascii: ":"))
    digits(secondOfDay % 60, 2)
    bytes.append(UInt8(ascii: "."))
    digits(fraction, 6)
    bytes.append(UInt8(ascii: "Z"))
  }

  /// Parses exactly the form ``description`` produces (`2026-01-14T05:07:06.527149Z`).
  public init?(iso8601 text: String) {
    var text = text
    guard let parsed = text.withUTF8({ LogTimestamp(iso8601: UnsafeRawBufferPointer($0)) }) else {
      return nil
    }
    self = parsed
  }

  /// Parses exactly the form ``description`` produces.
  public init?(iso8601 bytes: UnsafeRawBufferPointer) {
    guard bytes.count == LogTimestamp.textLength else { return nil }
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
    let days = LogTimestamp.days(fromCivil: year, month, day)
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
    self.init(microsecondsSince1970: seconds * 1_000_000 + fraction)
  }

  /// Howard Hinnant's `civil_from_days`.
  static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// Howard Hinnant's `days_from_civil`.
  static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}
