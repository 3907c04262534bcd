/// A second of the proleptic Gregorian calendar (no time zone: UTC, or local time already
/// shifted), from seconds since 1970, and back: Howard Hinnant's `civil_from_days` and
/// `days_from_civil`, without the C library (whose time functions take a lock).
///
/// ```swift
/// let time = CivilTime(secondsSince1970: 1_795_824_784)
/// time.write(into: out)  // "2026-11-28T00:13:04", 19 bytes
/// ```
public struct CivilTime: Sendable, Equatable {
  public var year: Int64
  public var month: Int64
  public var day: Int64
  public var hour: Int64
  public var minute: Int64
  public var second: Int64

  /// The length of what ``write(into:)`` writes.
  public static let textLength = 19

  public init(
    year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
  ) {
    (self.year, self.month, self.day) = (year, month, day)
    (self.hour, self.minute, self.second) = (hour, minute, second)
  }

  /// The calendar second `seconds` after 1970-01-01T00:00:00.
  public init(secondsSince1970 seconds: Int64) {
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    self.init(
      year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month,
      day: dayOfYear - (153 * monthIndex + 2) / 5 + 1, hour: secondOfDay / 3600,
      minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
  }

  /// Seconds since 1970-01-01T00:00:00.
  public var secondsSince1970: Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return days * 86_400 + hour * 3600 + minute * 60 + second
  }

  /// Writes ``textLength`` bytes: `YYYY-MM-DDTHH:MM:SS`.
  public func write(into out: UnsafeMutablePointer<UInt8>) {
    Self.writeDigits(year, 4, into: out)
    out[4] = UInt8(ascii: "-")
    Self.writeDigits(month, 2, into: out + 5)
    out[7] = UInt8(ascii: "-")
    Self.writeDigits(day, 2, into: out + 8)
    out[10] = UInt8(ascii: "T")
    Self.writeDigits(hour, 2, into: out + 11)
    out[13] = UInt8(ascii: ":")
    Self.writeDigits(minute, 2, into: out + 14)
    out[16] = UInt8(ascii: ":")
    Self.writeDigits(second, 2, into: out + 17)
  }

  /// Writes `value` (clamped to `0...`, its last `width` digits) as exactly `width` digits.
  public static func writeDigits(
    _ value: Int64, _ width: Int, into out: UnsafeMutablePointer<UInt8>
  ) {
    var rest = max(0, value)
    for position in stride(from: width - 1, through: 0, by: -1) {
      out[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
    }
  }
}
