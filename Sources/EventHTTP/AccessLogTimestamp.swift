import Foundation
import Primitives

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
    CivilTime(secondsSince1970: Int64(seconds + utcOffset)).write(into: out)
    out[19] = utcOffset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
    let minutes = Int64(abs(utcOffset) / 60)
    CivilTime.writeDigits(minutes / 60, 2, into: out + 20)
    CivilTime.writeDigits(minutes % 60, 2, into: out + 22)
  }
}
