#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A UTC instant with microsecond precision, rendered as `2026-01-14T05:07:06.527149Z`.
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

  /// ISO-8601 in UTC with six fraction digits and `Z`, as DRF renders a `DateTimeField`.
  public var description: String {
    let seconds = microseconds.floorDivided(by: 1_000_000)
    let micros = microseconds - seconds * 1_000_000
    let days = seconds.floorDivided(by: 86_400)
    let secondOfDay = seconds - days * 86_400
    let (year, month, day) = civilDate(daysSinceEpoch: days)
    guard (0...9999).contains(year) else {
      return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":"
        + pad(secondOfDay % 60, 2) + "." + pad(micros, 6) + "Z"
    }
    // Four-digit years (all real ones): the same 27 bytes written in place, without the
    // temporary strings above (this runs twice per order listed by GET /orders/).
    return String(unsafeUninitializedCapacity: 27) { text in
      putDigits(year, 4, at: 0, in: text)
      text[4] = UInt8(ascii: "-")
      putDigits(month, 2, at: 5, in: text)
      text[7] = UInt8(ascii: "-")
      putDigits(day, 2, at: 8, in: text)
      text[10] = UInt8(ascii: "T")
      putDigits(secondOfDay / 3600, 2, at: 11, in: text)
      text[13] = UInt8(ascii: ":")
      putDigits(secondOfDay / 60 % 60, 2, at: 14, in: text)
      text[16] = UInt8(ascii: ":")
      putDigits(secondOfDay % 60, 2, at: 17, in: text)
      text[19] = UInt8(ascii: ".")
      putDigits(micros, 6, at: 20, in: text)
      text[26] = UInt8(ascii: "Z")
      return 27
    }
  }

  /// Parses exactly the format of `description`; nil otherwise.
  public init?(iso8601 text: String) {
    let bytes = Array(text.utf8)
    guard bytes.count == 27, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
      bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
      bytes[26] == UInt8(ascii: "Z")
    else { return nil }
    func number(_ range: Range<Int>) -> Int64? {
      var value: Int64 = 0
      for byte in bytes[range] {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int64(byte - UInt8(ascii: "0"))
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
      let micros = number(20..<26), (1...12).contains(month), (1...31).contains(day), hour < 24,
      minute < 60, second < 60
    else { return nil }
    let days = daysSinceEpoch(year: year, month: month, day: day)
    self.microseconds =
      ((days * 86_400) + hour * 3600 + minute * 60 + second) * 1_000_000 + micros
  }
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}

/// Writes `value` (0 ..< 10^width) as exactly `width` decimal digits at `offset`.
private func putDigits(
  _ value: Int64, _ width: Int, at offset: Int, in text: UnsafeMutableBufferPointer<UInt8>
) {
  var rest = value
  for index in stride(from: offset + width - 1, through: offset, by: -1) {
    text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
    rest /= 10
  }
}

private func pad(_ value: Int64, _ width: Int) -> String {
  let text = String(value)
  return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

// Howard Hinnant's days_from_civil / civil_from_days.
private func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
  let y = month <= 2 ? year - 1 : year
  let era = (y >= 0 ? y : y - 399) / 400
  let yearOfEra = y - era * 400
  let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
  let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

private func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
  let z = days + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let dayOfEra = z - era * 146_097
  let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
  let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
  let mp = (5 * dayOfYear + 2) / 153
  let day = dayOfYear - (153 * mp + 2) / 5 + 1
  let month = mp < 10 ? mp + 3 : mp - 9
  return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}
