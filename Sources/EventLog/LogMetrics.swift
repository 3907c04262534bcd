import CoreMetrics
import Primitives

/// What an ``EventLog`` or a ``PostgresEventLog`` reports through swift-metrics when its options
/// carry a factory (``EventLogOptions/metrics``, ``PostgresLogOptions/metrics``). Labels are unprefixed (`eventlog_...`); the application may
/// namespace them in its factory.
///
/// | label | kind | what |
/// | --- | --- | --- |
/// | `eventlog_appended_events_total` | counter | records written (acknowledged or about to be) |
/// | `eventlog_batch_events` | recorder (histogram) | records per group-commit write |
/// | `eventlog_written_bytes_total` | counter | bytes of record lines written |
/// | `eventlog_fsync_duration_seconds` | timer | each `fdatasync` of the log (PostgreSQL: each `COMMIT`) |
/// | `eventlog_compactions_total{outcome}` | counter | `completed` or `failed` |
/// | `eventlog_backups_total{outcome}` | counter | `completed` or `failed` |
/// | `eventlog_replay_duration_seconds` | gauge | how long replay took at open |
/// | `eventlog_replayed_records` | gauge | records replayed at open |
/// | `eventlog_writes_stopped` | gauge | 1 once a failed write or sync stopped writes (PostgreSQL: while it cannot be reached) |
/// | `eventlog_conflicts_total` | counter | PostgreSQL: appends refused as stale, their commands run again |
/// | `eventlog_foreign_batches_total` | counter | PostgreSQL: batches of other nodes' events applied |
final class LogMetrics: Sendable {
  let appendedEvents: Counter
  let batchEvents: Recorder
  let writtenBytes: Counter
  let fsyncDuration: Timer
  let compactionsCompleted: Counter
  let compactionsFailed: Counter
  let backupsCompleted: Counter
  let backupsFailed: Counter
  let replayDuration: Gauge
  let replayedRecords: Gauge
  let writesStopped: Gauge
  /// Only for a log shared by several nodes (nil for the file log).
  let conflicts: Counter?
  let foreignBatches: Counter?

  /// The batch-size buckets an application may give its histogram backend.
  static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

  init(factory: any MetricsFactory, shared: Bool = false) {
    appendedEvents = Counter(label: "eventlog_appended_events_total", factory: factory)
    batchEvents = Recorder(label: "eventlog_batch_events", factory: factory)
    writtenBytes = Counter(label: "eventlog_written_bytes_total", factory: factory)
    fsyncDuration = Timer(label: "eventlog_fsync_duration_seconds", factory: factory)
    compactionsCompleted = Counter(
      label: "eventlog_compactions_total", dimensions: [("outcome", "completed")],
      factory: factory)
    compactionsFailed = Counter(
      label: "eventlog_compactions_total", dimensions: [("outcome", "failed")], factory: factory)
    backupsCompleted = Counter(
      label: "eventlog_backups_total", dimensions: [("outcome", "completed")], factory: factory)
    backupsFailed = Counter(
      label: "eventlog_backups_total", dimensions: [("outcome", "failed")], factory: factory)
    replayDuration = Gauge(label: "eventlog_replay_duration_seconds", factory: factory)
    replayedRecords = Gauge(label: "eventlog_replayed_records", factory: factory)
    writesStopped = Gauge(label: "eventlog_writes_stopped", factory: factory)
    writesStopped.record(0)
    conflicts = shared ? Counter(label: "eventlog_conflicts_total", factory: factory) : nil
    foreignBatches =
      shared ? Counter(label: "eventlog_foreign_batches_total", factory: factory) : nil
  }

  /// Runs `sync` (an `fdatasync`) and records how long it took.
  @inline(__always)
  static func timed<T>(_ metrics: LogMetrics?, _ sync: () -> T) -> T {
    guard let metrics else { return sync() }
    let start = MonotonicClock.nanoseconds()
    let result = sync()
    metrics.fsyncDuration.recordNanoseconds(Int64(MonotonicClock.nanoseconds() - start))
    return result
  }
}

/// The bucket boundaries ``LogMetrics`` histograms are meant for, by label.
public enum EventLogMetricBuckets {
  /// For `eventlog_batch_events`.
  public static let batchEvents: [Double] = LogMetrics.batchBuckets
  /// For `eventlog_fsync_duration_seconds`: 50 us to 5 s.
  public static let fsyncDuration: [Duration] = [
    .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
    .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
    .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
  ]
}
