import CoreMetrics

/// What a ``PostgresEventLog`` has done since it opened.
public struct PostgresLogStatistics: Sendable, Equatable, CustomStringConvertible {
  /// Transactions committed (each one group of appends).
  public var commits = 0
  /// Appends refused as stale (their commands ran again).
  public var conflicts = 0
  /// Batches of other nodes' events applied.
  public var foreignBatches = 0

  public var description: String {
    "\(commits) commits, \(conflicts) appends re-run after other nodes' writes, "
      + "\(foreignBatches) batches of other nodes' events applied"
  }
}

/// How a ``PostgresEventLog`` connects, tails and gives up.
public struct PostgresLogOptions<Event: LogEvent>: Sendable {
  /// A libpq connection string or URL (`postgresql://user@host:5432/db`,
  /// `postgresql:///db?host=/run/postgresql`).
  public var url: String
  /// This node's name, stored with each row it writes (default: host name and process id).
  public var node: String
  /// How often the log looks for other nodes' events when no notification came, in ms.
  public var pollMilliseconds: Int = 1_000
  /// The longest a connection attempt may take, in seconds (libpq's `connect_timeout`).
  public var connectTimeoutSeconds: Int = 2
  /// Appends waiting for the writer at most; more are refused at once.
  public var maxPendingAppends: Int = 65_536
  /// Events per transaction at most (a bigger backlog takes several).
  public var maxBatchEvents: Int = 2_048
  /// Builds compaction snapshots (nil: ``PostgresEventLog/compact()`` throws).
  public var compactor: LogCompactor<Event>?
  /// A node that sees the log grow this many events past the newest snapshot writes a new one
  /// (on a thread of its own; one node at a time). 0: only ``PostgresEventLog/compact()``.
  public var snapshotEveryEvents: UInt64 = 100_000
  /// Told when an automatic snapshot fails (for logging).
  public var backgroundWarning: @Sendable (String) -> Void = { _ in }
  /// Told when the connection is lost or comes back (for logging).
  public var connectionChanged: @Sendable (_ failure: String?) -> Void = { _ in }
  /// Where the log reports its metrics (see ``LogMetrics`` for the labels); nil reports none.
  public var metrics: (any MetricsFactory)?
  /// Told once on ``PostgresEventLog/close()`` what the log did (for logging).
  public var closed: @Sendable (_ statistics: PostgresLogStatistics) -> Void = { _ in }

  public init(url: String, node: String, compactor: LogCompactor<Event>? = nil) {
    self.url = url
    self.node = node
    self.compactor = compactor
  }
}
