import CoreMetrics
import EventLog
import Logging
import Primitives
import StorefrontCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open shop: the data directory locked, the log replayed, the services running.
///
/// Shared by the standalone server and the C embedding; it knows nothing of event loops.
///
/// ```swift
/// let app = try StorefrontApp.open(config: config, logger: logger)
/// let user = try await app.shop.auth.register(body)
/// try await app.close()
/// ```
public final class StorefrontApp: Sendable {
  /// The auth, catalog and order services.
  public let shop: Shop
  /// The configuration the app was opened with.
  public let config: StorefrontConfig
  let log: any EventStore<ShopEvent>
  /// The threads that hash passwords (for the queue's metrics).
  let hashingPool: HashingPool
  /// How many records replay found at startup.
  public let replayedRecords: Int
  /// Whether the log is shared with other nodes (the postgres backend).
  public let sharesLog: Bool

  private init(
    shop: Shop, config: StorefrontConfig, log: any EventStore<ShopEvent>, hashingPool: HashingPool,
    replayed: Int
  ) {
    self.shop = shop
    self.config = config
    self.log = log
    self.hashingPool = hashingPool
    self.replayedRecords = replayed
    self.sharesLog = log.isShared
  }

  /// Locks `config.dataDir`, replays its log and starts the services.
  ///
  /// When a write or sync of the log fails, writes stop (logged at critical; see
  /// ``writeFailure``). If the log then cannot even be cut back to what was acknowledged,
  /// `unrecoverableWriteFailure` gets the message; by default it is logged at critical and the
  /// process exits with status 70 (a restart replays the file). An embedder may pass a handler
  /// that returns instead: the log then stays stopped.
  public static func open(
    config: StorefrontConfig, logger: Logger,
    unrecoverableWriteFailure: (@Sendable (String) -> Void)? = nil
  ) throws -> StorefrontApp {
    try open(
      config: config, logger: logger, unrecoverableWriteFailure: unrecoverableWriteFailure,
      metrics: nil, replayProgress: { _ in }, locked: {})
  }

  /// ``open(config:logger:unrecoverableWriteFailure:)``, reporting the log's metrics to
  /// `metrics`, telling `replayProgress` the records replayed so far (every 256), and running
  /// `locked` once the directory is locked, before replay.
  static func open(
    config: StorefrontConfig, logger: Logger,
    unrecoverableWriteFailure: (@Sendable (String) -> Void)?, metrics: (any MetricsFactory)?,
    replayProgress: (Int) -> Void, locked: () throws -> Void
  ) throws -> StorefrontApp {
    var state = ShopState()
    var count = 0
    let onUnrecoverable =
      unrecoverableWriteFailure ?? { message in
        logger.critical("\(message)")
        // Log lines are written by a thread of their own: out before the process goes.
        LoggingSetup.flushBlocking()
        _exit(70)
      }
    let replay = { (record: LogRecord<ShopEvent>) in
      state.apply(record.event)
      count += 1
      if count & 0xFF == 0 { replayProgress(count) }
    }
    let log: any EventStore<ShopEvent>
    var shared: PostgresEventLog<ShopEvent>?
    switch config.storage.backend {
    case .file:
      var options = logOptions(config, logger: logger, unrecoverable: onUnrecoverable)
      options.metrics = metrics
      log = try EventLog<ShopEvent>.open(
        directory: config.dataDir, options: options, warning: { logger.warning("\($0)") },
        locked: locked, replay: replay)
    case .postgres:
      try config.checkStorage()
      var options = postgresOptions(config, logger: logger)
      options.metrics = metrics
      let postgres = try PostgresEventLog<ShopEvent>.open(
        directory: config.dataDir, options: options, locked: locked, replay: replay)
      shared = postgres
      log = postgres
    }
    replayProgress(count)
    let pool = HashingPool(
      threadCount: config.auth.resolvedHashThreads, maxPending: config.auth.maxPendingHashes)
    let auth = AuthConfiguration(
      passwordIterations: config.auth.pbkdf2Iterations,
      tokenTTLSeconds: config.auth.tokenTTLSeconds > 0 ? Int64(config.auth.tokenTTLSeconds) : nil,
      maxTokensPerUser: config.auth.maxTokensPerUser)
    let shop = Shop(
      state: state, sink: LogEventSink(log: log),
      configuration: ShopConfiguration(
        auth: auth, idempotencyTTLSeconds: config.api.idempotencyTTLSeconds),
      hashingPool: pool)
    shared?.start { records in await shop.applyForeign(records.map(\.event)) }
    return StorefrontApp(
      shop: shop, config: config, log: log, hashingPool: pool, replayed: count)
  }

  /// Why writes are refused (``EventLogError/writesStopped(reason:)``) after a failed write or
  /// sync of the log, or nil while they work. Cheap to read. Reads keep working regardless.
  public var writeFailure: EventLogError? { log.writeFailure }

  /// Flushes and closes the log and releases the data directory. Idempotent.
  public func close() async throws { try await log.close() }

  /// Rewrites the log as a snapshot of the current state plus newer events.
  public func compact() async throws { try await log.compact() }

  /// The last sequence written and the log file's size after it.
  public var written: (sequence: UInt64, bytes: UInt64) { log.written }

  /// Streams a consistent, compacted copy of the log (see ``EventLog/backup(chunk:)``).
  public func backup(chunk: @escaping @Sendable ([UInt8]) throws -> Void) async throws
    -> LogBackup
  {
    guard let file = log as? EventLog<ShopEvent> else {
      throw EventLogError.io(
        operation: "backing up", path: "the PostgreSQL log",
        reason: "use `storefront log export` (or pg_dump) for the postgres backend")
    }
    return try await file.backup(chunk: chunk)
  }

  static func postgresOptions(
    _ config: StorefrontConfig, logger: Logger
  ) -> PostgresLogOptions<ShopEvent> {
    var options = PostgresLogOptions<ShopEvent>(
      url: config.storage.postgresURL, node: "\(hostName()):\(getpid())",
      compactor: compactor(config))
    options.backgroundWarning = { logger.warning("\($0)") }
    options.closed = { statistics in logger.notice("PostgreSQL log closed: \(statistics)") }
    options.connectionChanged = { failure in
      if let failure {
        logger.critical("writes refused: \(failure)")
      } else {
        logger.notice("PostgreSQL reachable again; writes accepted")
      }
    }
    return options
  }

  /// Builds snapshots of the shop for either backend; expired idempotency records are left out.
  static func compactor(_ config: StorefrontConfig) -> LogCompactor<ShopEvent> {
    let idempotencyTTL = Int64(config.api.idempotencyTTLSeconds)
    return LogCompactor(
      makeState: { ShopState() },
      apply: { state, record in state.apply(record.event) },
      snapshot: {
        $0.snapshotEvents(idempotencyCutoff: Timestamp.now().adding(seconds: -idempotencyTTL))
      })
  }

  private static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "node" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static func logOptions(
    _ config: StorefrontConfig, logger: Logger,
    unrecoverable: @escaping @Sendable (String) -> Void
  ) -> EventLogOptions<ShopEvent> {
    let policy: FsyncPolicy =
      switch config.storage.fsync {
      case .always: .always
      case .batch: .batch(milliseconds: config.storage.batchMilliseconds)
      case .never: .never
      }
    return EventLogOptions(
      policy: policy, compactionFactor: config.storage.compactionFactor,
      compactionMinimumBytes: UInt64(config.storage.compactionMinBytes),
      compactor: compactor(config),
      backgroundWarning: { logger.warning("\($0)") },
      writesStopped: { logger.critical("\($0)") },
      unrecoverableFailure: unrecoverable)
  }
}

/// Where the services' events go: the durable log (a file, or PostgreSQL shared by nodes).
struct LogEventSink: EventSink {
  let log: any EventStore<ShopEvent>
  let isShared: Bool

  init(log: any EventStore<ShopEvent>) {
    self.log = log
    isShared = log.isShared
  }

  func append(_ events: [ShopEvent]) async throws {
    do {
      _ = try await log.append(events, validatedAt: SinkValidation.position)
    } catch is LogConflict {
      throw EventSinkConflict()
    }
  }

  var foreignPosition: UInt64 { log.foreignPosition }

  func catchUp() async { await log.catchUp() }
}
