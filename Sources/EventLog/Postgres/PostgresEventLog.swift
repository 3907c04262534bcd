import Primitives

/// An event log in one PostgreSQL table, shared by several nodes.
///
/// ```swift
/// let log = try PostgresEventLog<ShopEvent>.open(options: options) { state.apply($0.event) }
/// log.start { records in await shop.applyForeign(records.map(\.event)) }
/// let sequence = try await log.append(events, validatedAt: position)
/// ```
///
/// A writer thread of its own owns one connection: it takes every queued append, opens a
/// transaction, takes the advisory lock, and reads the events after the last one this node
/// knows. When there are none it numbers the queued events on top, inserts them, `NOTIFY`s and
/// commits (one transaction for all: group commit), then acknowledges. When other nodes have
/// written meanwhile it rolls back, hands their events to the application (`start`'s closure,
/// awaited), and refuses the appends validated before that with ``LogConflict``. A listener
/// thread `LISTEN`s on a second connection and wakes the writer; the writer also polls.
///
/// While PostgreSQL cannot be reached, appends throw ``EventLogError/writesStopped(reason:)``
/// at once (``writeFailure`` says why); the writer reconnects by itself. An append whose
/// `COMMIT` got no answer is resolved after reconnecting (did its rows land?) before it is
/// answered, so an acknowledged append is always in the table and a refused one never is.
public final class PostgresEventLog<Event: LogEvent>: EventStore, Sendable {
  let options: PostgresLogOptions<Event>
  let writer: PostgresLogWriter<Event>
  let listener: PostgresListener
  let directoryLock: DirectoryLock
  private let closed = Locked(false)
  private let started = Locked(false)

  /// Locks `directory` (this node's own: its control socket lives there), runs `locked`,
  /// connects, creates the tables if missing, and replays the newest snapshot and every event
  /// after it into `replay`. Throws when PostgreSQL cannot be reached.
  public static func open(
    directory: String, options: PostgresLogOptions<Event>, locked: () throws -> Void = {},
    replay: (LogRecord<Event>) throws -> Void
  ) throws -> PostgresEventLog<Event> {
    let lock = try DirectoryLock.acquire(directory: directory)
    do {
      try locked()
      return try open(options: options, lock: lock, replay: replay)
    } catch {
      lock.release()
      throw error
    }
  }

  private static func open(
    options: PostgresLogOptions<Event>, lock: DirectoryLock,
    replay: (LogRecord<Event>) throws -> Void
  ) throws -> PostgresEventLog<Event> {
    let connection = try PGConnection(
      url: options.url, timeoutSeconds: options.connectTimeoutSeconds)
    try PostgresSchema.ensure(connection)
    let metrics = options.metrics.map { LogMetrics(factory: $0, shared: true) }
    let replayStart = MonotonicClock.nanoseconds()
    var records = 0
    let (last, snapshot) = try PostgresSchema.replay(connection) { record in
      records += 1
      try replay(record)
    }
    metrics?.replayDuration.record(Double(MonotonicClock.nanoseconds() - replayStart) / 1e9)
    metrics?.replayedRecords.record(records)
    return PostgresEventLog(
      options: options, connection: connection, last: last, snapshot: snapshot, lock: lock,
      metrics: metrics)
  }

  private init(
    options: PostgresLogOptions<Event>, connection: PGConnection, last: UInt64, snapshot: UInt64,
    lock: DirectoryLock, metrics: LogMetrics?
  ) {
    self.options = options
    self.directoryLock = lock
    writer = PostgresLogWriter(
      options: options, connection: connection, last: last, snapshot: snapshot, metrics: metrics)
    listener = PostgresListener(url: options.url, timeout: options.connectTimeoutSeconds)
  }

  /// Starts the writer and the listener. `applyForeign` gets other nodes' events in order,
  /// on a task, while the writer waits for it; nothing is appended meanwhile.
  public func start(applyForeign: @escaping @Sendable ([LogRecord<Event>]) async -> Void) {
    started.withLock { $0 = true }
    let writer = writer
    writer.applyForeign = applyForeign
    DetachedThread.start { writer.run() }
    listener.start { [weak writer] sequence in writer?.noticed(sequence: sequence) }
  }

  public func append(_ events: [Event], validatedAt: UInt64?) async throws -> UInt64 {
    let lines = events.map { LogLineFormat.body(of: $0) }
    return try await withCheckedThrowingContinuation { continuation in
      writer.enqueue(lines, validatedAt: validatedAt, continuation)
    }
  }

  /// ``append(_:validatedAt:)`` without a stale check.
  public func append(_ events: [Event]) async throws -> UInt64 {
    try await append(events, validatedAt: nil)
  }

  public var isShared: Bool { true }

  public var foreignPosition: UInt64 { writer.position }

  /// What the log has done since it opened.
  public var statistics: PostgresLogStatistics { writer.statistics }

  public func catchUp() async {
    await withCheckedContinuation { writer.requestCatchUp($0) }
  }

  public var writeFailure: EventLogError? {
    writer.failure.map { EventLogError.writesStopped(reason: $0) }
  }

  public var written: (sequence: UInt64, bytes: UInt64) { (writer.lastSequence, 0) }

  /// Writes a snapshot row standing for every event up to the newest one, built by the
  /// compactor from the newest snapshot and the events after it (on a thread of its own).
  public func compact() async throws {
    guard let compactor = options.compactor else { throw EventLogError.noCompactor }
    let (options, metrics) = (options, writer.metrics)
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
      DetachedThread.start {
        do {
          try PostgresCompaction.run(options: options, compactor: compactor)
          metrics?.compactionsCompleted.increment()
          continuation.resume()
        } catch {
          metrics?.compactionsFailed.increment()
          continuation.resume(throwing: error)
        }
      }
    }
  }

  public func close() async throws {
    let first = closed.withLock { done in
      defer { done = true }
      return !done
    }
    guard first else { return }
    listener.stop()
    if started.withLock({ $0 }) {
      await withCheckedContinuation { writer.stop($0) }
    }
    directoryLock.release()
    options.closed(writer.statistics)
  }
}
