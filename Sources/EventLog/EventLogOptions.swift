import CoreMetrics
import Primitives

/// How an ``EventLog`` writes, when it compacts itself, and where it reports metrics.
public struct EventLogOptions<Event: LogEvent>: Sendable {
  /// When appends are forced to disk before they are acknowledged.
  public var policy: FsyncPolicy
  /// Compact automatically once the file is this many times its size after the last compaction.
  public var compactionFactor: Double
  /// ...and at least this many bytes.
  public var compactionMinimumBytes: UInt64
  /// Rebuilds state from records for compaction; without one, the log never compacts.
  public var compactor: LogCompactor<Event>?
  /// Receives problems found off the caller's path (a failed automatic compaction).
  /// Defaults to standard error.
  public var backgroundWarning: @Sendable (String) -> Void
  /// Test hook called at each step of a compaction (e.g. to kill the process there).
  public var compactionStepHook: (@Sendable (CompactionStep) -> Void)?
  /// Called once, on the writer thread, when a failed write or sync stops all writes, with a
  /// sentence naming the error (log it at critical). The file has already been cut back to
  /// what was acknowledged. Defaults to standard error.
  public var writesStopped: @Sendable (String) -> Void
  /// Called on the writer thread when, after a failed write or sync, cutting the file back to
  /// what was acknowledged failed too: the file may hold lines no caller saw acknowledged, so
  /// the process should not go on (a restart replays the file and decides). The default writes
  /// the message to standard error and exits with status 70. If it returns, the log stays
  /// stopped.
  public var unrecoverableFailure: @Sendable (String) -> Void
  /// Where the log reports its metrics (see ``LogMetrics`` for the labels); nil reports
  /// nothing and costs nothing.
  public var metrics: (any MetricsFactory)?

  public init(
    policy: FsyncPolicy = .always,
    compactionFactor: Double = 2.0,
    compactionMinimumBytes: UInt64 = 64 << 20,
    compactor: LogCompactor<Event>? = nil,
    backgroundWarning: @escaping @Sendable (String) -> Void = { StandardError.writeLine($0) },
    compactionStepHook: (@Sendable (CompactionStep) -> Void)? = nil,
    writesStopped: @escaping @Sendable (String) -> Void = { StandardError.writeLine($0) },
    unrecoverableFailure: @escaping @Sendable (String) -> Void = {
      exitAfterUnrecoverableFailure($0)
    },
    metrics: (any MetricsFactory)? = nil
  ) {
    self.policy = policy
    self.compactionFactor = compactionFactor
    self.compactionMinimumBytes = compactionMinimumBytes
    self.compactor = compactor
    self.backgroundWarning = backgroundWarning
    self.compactionStepHook = compactionStepHook
    self.writesStopped = writesStopped
    self.unrecoverableFailure = unrecoverableFailure
    self.metrics = metrics
  }
}

/// The steps of a compaction, in order; a crash after any of them leaves a loadable directory.
public enum CompactionStep: String, Sendable, CaseIterable {
  /// The snapshot and most of the tail are written to the temporary file (not yet synced).
  case snapshotWritten
  /// Appends are paused, the rest of the tail is copied and the temporary file is synced.
  case tailCopiedAndSynced
  /// The temporary file has been renamed over the log (directory not yet synced).
  case renamed
  /// The directory is synced: the compaction is durable. Appends resume.
  case directorySynced
}
