import Primitives

/// One event read back from the log, with its place in it.
public struct LogRecord<Event: LogEvent>: Sendable {
  /// The event's sequence number. Snapshot records carry the sequence the snapshot reflects.
  public let sequence: UInt64
  /// When the writer stamped the line (for snapshot records: when the compaction ran).
  public let timestamp: Timestamp
  public let event: Event
  /// True for records written by compaction to stand for all history up to `sequence`.
  public let isSnapshot: Bool

  public init(
    sequence: UInt64, timestamp: Timestamp, event: Event, isSnapshot: Bool = false
  ) {
    self.sequence = sequence
    self.timestamp = timestamp
    self.event = event
    self.isSnapshot = isSnapshot
  }
}
