/// A request rate such as `20/minute`: at most ``requests`` within any ``period``, as DRF's
/// `SimpleRateThrottle.parse_rate` reads it.
///
/// The text is `<N>/<period>`: `N` a whole number from 1 to ``maxRequests``, the period a word
/// whose first letter picks the unit (DRF reads only that letter): `s` second, `m` minute,
/// `h` hour, `d` day; so `20/m`, `20/min` and `20/minute` are the same rate.
///
/// ```swift
/// let rate = ThrottleRate("20/minute")!   // 20 requests per .minute (60 s)
/// ```
public struct ThrottleRate: Sendable, Equatable, CustomStringConvertible {
  /// The window a rate counts requests in.
  public enum Period: Int, Sendable, CaseIterable {
    case second = 1
    case minute = 60
    case hour = 3600
    case day = 86_400

    /// The window's length in seconds.
    public var seconds: Int { rawValue }
  }

  /// The most requests allowed within the window.
  public let requests: Int
  /// The window.
  public let period: Period

  /// The largest `N` accepted, which bounds the history kept per client.
  public static let maxRequests = 100_000

  /// `requests` (clamped to 1 ... ``maxRequests``) per `period`.
  public init(requests: Int, per period: Period) {
    self.requests = min(max(1, requests), Self.maxRequests)
    self.period = period
  }

  /// The rate `text` spells, or nil when it is not `<N>/<period>` as described above.
  public init?(_ text: String) {
    let utf8 = Array(text.utf8)
    guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else { return nil }
    let digits = utf8[..<slash]
    let word = utf8[(slash + 1)...]
    guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(Self.isDigit),
      let first = word.first, word.allSatisfy(Self.isLetter)
    else { return nil }
    let count = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    guard (1...Self.maxRequests).contains(count) else { return nil }
    let period: Period
    switch first {
    case UInt8(ascii: "s"): period = .second
    case UInt8(ascii: "m"): period = .minute
    case UInt8(ascii: "h"): period = .hour
    case UInt8(ascii: "d"): period = .day
    default: return nil
    }
    self.init(requests: count, per: period)
  }

  /// The canonical spelling, e.g. `20/minute`.
  public var description: String { "\(requests)/\(period)" }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }
}
