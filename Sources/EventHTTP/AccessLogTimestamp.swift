import Foundation

/// Wall-clock seconds as `strftime("%Y-%m-%dT%H:%M:%S%z")` writes them (swift-log's format),
/// computed without the C library, so that a loop thread takes no lock for it.
enum AccessLogTimestamp {
  /// `2026-11-28T02:14:07+0000`.
  static let count = 24

  /// The current wall-clock second (coarse clock: the line shows whole seconds).
  static func nowSeconds() -> Int {
    var now = timespec()
    #if os(Linux)
      clock_gettime(CLOCK_REALTIME_COARSE, &now)
    #else
      clock_gettime(CLOCK_REALTIME, &now)
    #endif
    return now.tv_sec
  }

  /// The local time's offset from UTC in seconds, now (takes the C library's time zone lock:
  /// only the writer thread calls it).
  static func currentUTCOffset() -> Int {
    var seconds = time(nil)
    var local = tm()
    guard localtime_r(&seconds, &local) != nil else { return 0 }
    return local.tm_gmtoff
  }

  /// Writes ``count`` bytes for `seconds` (since 1970, UTC) shown at `utcOffset`.
  static func write(seconds: Int, utcOffset: Int, into out: UnsafeMutablePointer<UInt8>) {
    let local = seconds + utcOffset
    let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    let secondOfDay = local - days * 86_400
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    digits(year, 4, out)
    out[4] = UInt8(ascii: "-")
    digits(month, 2, out + 5)
    out[7] = UInt8(ascii: "-")
    digits(day, 2, out + 8)
    out[10] = UInt8(ascii: "T")
    digits(secondOfDay / 3600, 2, out + 11)
    out[13] = UInt8(ascii: ":")
    digits(secondOfDay / 60 % 60, 2, out + 14)
    out[16] = UInt8(ascii: ":")
    digits(secondOfDay % 60, 2, out + 17)
    out[19] = utcOffset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
    let minutes = abs(utcOffset) / 60
    digits(minutes / 60, 2, out + 20)
    digits(minutes % 60, 2, out + 22)
  }

  /// `value` (clamped to `0...`) as exactly `width` decimal digits.
  private static func digits(_ value: Int, _ width: Int, _ out: UnsafeMutablePointer<UInt8>) {
    var rest = max(0, value)
    for position in stride(from: width - 1, through: 0, by: -1) {
      out[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
    }
  }
}
