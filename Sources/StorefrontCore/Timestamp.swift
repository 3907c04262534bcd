import EventLog

/// A UTC instant with microsecond precision, rendered as `2026-01-14T05:07:06.527149Z`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Microseconds since 1970-01-01T00:00:00Z.
  public var microseconds: Int64

  /// The instant `microseconds` after the Unix epoch.
  public init(microseconds: Int64) { self.microseconds = microseconds }

  /// The current wall-clock time.
  public static func now() -> Timestamp {
    Timestamp(microseconds: LogTimestamp.now().microsecondsSince1970)
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.microseconds < rhs.microseconds
  }

  /// This instant plus `seconds`.
  public func adding(seconds: Int64) -> Timestamp {
    Timestamp(microseconds: microseconds + seconds * 1_000_000)
  }

  /// ISO-8601 in UTC with six fraction digits and `Z`, as DRF renders a `DateTimeField`.
  public var description: String { LogTimestamp(microsecondsSince1970: microseconds).description }

  /// Parses exactly the format of `description`; nil otherwise.
  public init?(iso8601 text: String) {
    guard let parsed = LogTimestamp(iso8601: text) else { return nil }
    microseconds = parsed.microsecondsSince1970
  }
}
