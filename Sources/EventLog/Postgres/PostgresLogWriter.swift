import Primitives

/// The writer thread of a ``PostgresEventLog``: group commit under the advisory lock, catching
/// up on other nodes' events, reconnecting. See ``PostgresEventLog`` for the protocol.
///
/// `shared` is only touched with `lock` held; `connection`, `inDoubt`, `batchNumber` and
/// `snapshotAt` only by the writer thread (`run`); `applyForeign` is set before it starts.
// @unchecked Sendable: `shared` under `lock`, the other state on the writer thread only.
final class PostgresLogWriter<Event: LogEvent>: @unchecked Sendable {
  struct Pending {
    var lines: [[UInt8]]
    var validatedAt: UInt64?
    var continuation: CheckedContinuation<UInt64, Error>
  }

  struct Shared {
    var queue: [Pending] = []
    var catchUpWaiters: [CheckedContinuation<Void, Never>] = []
    var tailWanted = false
    var stopWaiter: CheckedContinuation<Void, Never>?
    var stopping = false
    var failure: String?
    /// The last sequence applied here (own or foreign).
    var last: UInt64
    /// Batches of foreign events whose application has started / finished.
    var started: UInt64 = 0
    var finished: UInt64 = 0
    var statistics = PostgresLogStatistics()
    /// When an append was last queued, and since when a tail is wanted (monotonic ns).
    var lastEnqueue: UInt64 = 0
    var tailWantedSince: UInt64 = 0
  }

  let options: PostgresLogOptions<Event>
  private let lock = ConditionLock()
  private var shared: Shared
  private var connection: PGConnection?
  /// A batch whose `COMMIT` got no answer: its writer tag and first sequence.
  private var inDoubt: (tag: String, first: UInt64, batch: [Pending])?
  private var batchNumber = 0
  var applyForeign: (@Sendable ([LogRecord<Event>]) async -> Void)?
  /// Where appends, commits, conflicts and foreign batches are counted (nil: nowhere).
  let metrics: LogMetrics?

  init(
    options: PostgresLogOptions<Event>, connection: PGConnection, last: UInt64, snapshot: UInt64,
    metrics: LogMetrics?
  ) {
    self.options = options
    self.metrics = metrics
    self.connection = connection
    shared = Shared(last: last)
    snapshotAt = snapshot
  }

  /// The sequence of the newest snapshot known here, and whether this node is writing one.
  private var snapshotAt: UInt64
  private let snapshotting = Locked(false)

  /// Starts an automatic snapshot when the log has grown enough past the last one.
  private func snapshotIfDue() {
    let last = lastSequence
    guard options.snapshotEveryEvents > 0, let compactor = options.compactor,
      last >= snapshotAt + options.snapshotEveryEvents
    else { return }
    let start = snapshotting.withLock { running in
      defer { running = true }
      return !running
    }
    guard start else { return }
    // Whoever writes it (this node or another), the next one is due that much later.
    snapshotAt = last
    let (options, metrics) = (options, metrics)
    let snapshotting = snapshotting
    DetachedThread.start {
      do {
        try PostgresCompaction.run(options: options, compactor: compactor)
        metrics?.compactionsCompleted.increment()
      } catch {
        metrics?.compactionsFailed.increment()
        options.backgroundWarning("automatic snapshot of the PostgreSQL log failed: \(error)")
      }
      snapshotting.withLock { $0 = false }
    }
  }

  var position: UInt64 { lock.withLock { shared.finished } }
  var lastSequence: UInt64 { lock.withLock { shared.last } }
  var failure: String? { lock.withLock { shared.failure } }
  var statistics: PostgresLogStatistics { lock.withLock { shared.statistics } }

  func enqueue(
    _ lines: [[UInt8]], validatedAt: UInt64?, _ continuation: CheckedContinuation<UInt64, Error>
  ) {
    let refusal: Error? = lock.withLock {
      if shared.stopping { return EventLogError.closed }
      if let failure = shared.failure { return EventLogError.writesStopped(reason: failure) }
      if shared.queue.count >= options.maxPendingAppends {
        return EventLogError.writesStopped(reason: "too many appends waiting for PostgreSQL")
      }
      shared.queue.append(
        Pending(lines: lines, validatedAt: validatedAt, continuation: continuation))
      shared.lastEnqueue = MonotonicClock.nanoseconds()
      lock.signal()
      return nil
    }
    if let refusal { continuation.resume(throwing: refusal) }
  }

  func requestCatchUp(_ continuation: CheckedContinuation<Void, Never>) {
    let now = lock.withLock {
      if shared.stopping || shared.failure != nil { return true }
      shared.catchUpWaiters.append(continuation)
      lock.signal()
      return false
    }
    if now { continuation.resume() }
  }

  /// A notification said the log reached `sequence`.
  func noticed(sequence: UInt64) {
    lock.withLock {
      if sequence > shared.last && !shared.tailWanted {
        shared.tailWanted = true
        shared.tailWantedSince = MonotonicClock.nanoseconds()
        lock.signal()
      }
    }
  }

  func stop(_ continuation: CheckedContinuation<Void, Never>) {
    lock.withLock {
      shared.stopping = true
      shared.stopWaiter = continuation
      lock.signal()
    }
  }

  // MARK: The thread

  func run() {
    var nextPoll = MonotonicClock.nanoseconds() + pollInterval
    while true {
      lock.lock()
      while shared.queue.isEmpty && shared.catchUpWaiters.isEmpty && !shared.stopping
        && inDoubt == nil
      {
        let now = MonotonicClock.nanoseconds()
        if now >= nextPoll {
          nextPoll = now + pollInterval
          if !shared.tailWanted {
            shared.tailWanted = true
            shared.tailWantedSince = now
          }
        }
        guard shared.tailWanted else {
          lock.wait(untilMonotonicNanoseconds: nextPoll)
          continue
        }
        // While this node appends, its next commit catches up under the lock anyway; a tail
        // now would only make its commands in flight stale. So a tail waits for 10 ms
        // without appends, or 50 ms at most.
        let due = min(shared.lastEnqueue + 10_000_000, shared.tailWantedSince + 50_000_000)
        if now >= due { break }
        lock.wait(untilMonotonicNanoseconds: min(due, nextPoll))
      }
      if shared.stopping && (shared.failure != nil || (shared.queue.isEmpty && inDoubt == nil)) {
        let queue = shared.queue
        let waiters = shared.catchUpWaiters
        let stopWaiter = shared.stopWaiter
        shared.queue = []
        shared.catchUpWaiters = []
        lock.unlock()
        for pending in queue { pending.continuation.resume(throwing: EventLogError.closed) }
        if let inDoubt { fail(inDoubt.batch, "the log closed before the outcome was known") }
        for waiter in waiters { waiter.resume() }
        connection = nil
        stopWaiter?.resume()
        return
      }
      let batch = takeQueued(atLeastOne: true)
      let waiters = shared.catchUpWaiters
      shared.catchUpWaiters = []
      shared.tailWanted = false
      lock.unlock()

      nextPoll = MonotonicClock.nanoseconds() + pollInterval
      guard connect() else {
        fail(batch, failure ?? "PostgreSQL cannot be reached")
        for waiter in waiters { waiter.resume() }
        // Try again soon; appends meanwhile are refused at once.
        nextPoll = MonotonicClock.nanoseconds() + 250_000_000
        continue
      }
      if batch.isEmpty {
        do {
          try tail()
          setFailure(nil)
        } catch {
          lost(error)
        }
      } else {
        commit(batch)
        // A commit may end without reading the table (every append stale, or requeued): a
        // catch-up promised to waiters reads it now.
        if !waiters.isEmpty {
          do { try tail() } catch { lost(error) }
        }
      }
      for waiter in waiters { waiter.resume() }
    }
  }

  private var pollInterval: UInt64 { UInt64(max(options.pollMilliseconds, 10)) * 1_000_000 }

  /// Makes sure there is a connection (and resolves an append in doubt); false when PostgreSQL
  /// cannot be reached (``failure`` says why).
  private func connect() -> Bool {
    if let connection, connection.isHealthy, inDoubt == nil { return true }
    do {
      if connection == nil || connection?.isHealthy == false {
        connection = nil
        connection = try PGConnection(
          url: options.url, timeoutSeconds: options.connectTimeoutSeconds)
      }
      if let inDoubt { try resolve(inDoubt) }
      setFailure(nil)
      return true
    } catch {
      connection = nil
      setFailure("PostgreSQL cannot be reached: \(error.message)")
      return false
    }
  }

  private func setFailure(_ failure: String?) {
    let changed = lock.withLock {
      defer { shared.failure = failure }
      return (shared.failure == nil) != (failure == nil)
    }
    if changed {
      metrics?.writesStopped.record(failure == nil ? 0 : 1)
      options.connectionChanged(failure)
    }
  }

  /// Whether the batch whose COMMIT got no answer landed: its rows carry its tag. The advisory
  /// lock waits for the old session's transaction, should it still run.
  private func resolve(_ doubt: (tag: String, first: UInt64, batch: [Pending])) throws(PGError) {
    guard let connection else { return }
    try connection.exec("BEGIN")
    try connection.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.appendLock))")
    // Its first row, by primary key: a tag alone could be an earlier process's (same host and
    // pid after a restart), whose rows all have lower sequences.
    let rows = try connection.exec(
      "SELECT count(*) FROM storefront_events WHERE seq = $1 AND writer = $2",
      [String(doubt.first), doubt.tag])
    try connection.exec("COMMIT")
    inDoubt = nil
    let count = PostgresSchema.integer(rows) ?? 0
    if count > 0 {
      acknowledge(doubt.batch, first: doubt.first)
    } else {
      fail(doubt.batch, "the connection to PostgreSQL was lost before the commit")
    }
  }

  private func commit(_ pending: [Pending]) {
    guard let connection else { return fail(pending, "PostgreSQL cannot be reached") }
    // Appends validated before foreign events were applied (by a tail since) are stale.
    var batch = refuseStale(pending)
    if batch.isEmpty { return }
    var commitSent = false
    var first: UInt64 = 0
    let tag: String
    batchNumber += 1
    tag = "\(options.node)#\(batchNumber)"
    do {
      try connection.exec("BEGIN")
      try connection.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.appendLock))")
      var newer = PostgresSchema.rows(
        try connection.exec(PostgresSchema.eventsAfter, [String(lastSequence), "10000"]))
      if !newer.isEmpty {
        // Other nodes wrote first. Still holding the lock (nobody else can write now), apply
        // their events, refuse what was validated before them, and give those commands a
        // moment to run again on the new state; what they resubmit joins this transaction.
        while !newer.isEmpty {
          try apply(newer)
          newer =
            newer.count < 10000
            ? []
            : PostgresSchema.rows(
              try connection.exec(PostgresSchema.eventsAfter, [String(lastSequence), "10000"]))
        }
        let kept = refuseStale(batch)
        batch = kept + refuseStale(collectResubmitted(expecting: batch.count - kept.count))
        if batch.isEmpty {
          try connection.exec("ROLLBACK")
          return
        }
      }
      let last = lastSequence
      first = last + 1
      var parameters: [String?] = []
      var sequence = last
      let now = Timestamp.now()
      var (rowCount, bytes) = (0, 0)
      for pending in batch {
        for body in pending.lines {
          sequence += 1
          var line: [UInt8] = []
          line.reserveCapacity(body.count + 64)
          LogLineFormat.appendRecord(
            to: &line, sequence: sequence, isSnapshot: false, timestamp: now, body: body)
          line.removeLast()  // the newline
          bytes += line.count
          parameters += [String(sequence), String(decoding: line, as: UTF8.self), tag]
          rowCount += 1
          if rowCount == 1000 {
            try connection.exec(PostgresSchema.insert(count: rowCount), parameters)
            parameters = []
            rowCount = 0
          }
        }
      }
      if rowCount > 0 {
        try connection.exec(PostgresSchema.insert(count: rowCount), parameters)
      }
      try connection.exec(
        "SELECT pg_notify($1, $2)", [PostgresSchema.channel, String(sequence)])
      commitSent = true
      let commitStart = MonotonicClock.nanoseconds()
      try connection.exec("COMMIT")
      if let metrics {
        metrics.fsyncDuration.recordNanoseconds(Int64(MonotonicClock.nanoseconds() - commitStart))
        let events = Int(sequence - last)
        metrics.appendedEvents.increment(by: Int64(events))
        metrics.batchEvents.record(events)
        metrics.writtenBytes.increment(by: Int64(bytes))
      }
      acknowledge(batch, first: first)
      setFailure(nil)
      snapshotIfDue()
    } catch let error as PGError {
      if error.connectionLost {
        self.connection = nil
        if commitSent {
          inDoubt = (tag, first, batch)
          setFailure("the connection to PostgreSQL was lost: \(error.message)")
        } else {
          lost(error)
          fail(batch, "the connection to PostgreSQL was lost: \(error.message)")
        }
      } else {
        _ = try? connection.exec("ROLLBACK")
        if error.sqlState == "23505" {
          // Another writer took these sequences without the lock: catch up and retry.
          requeueFresh(batch)
        } else {
          fail(batch, "PostgreSQL refused the append: \(error.message)")
        }
      }
    } catch let error as EventLogError {
      _ = try? connection.exec("ROLLBACK")
      setFailure("\(error)")
      fail(batch, "\(error)")
    } catch {
      _ = try? connection.exec("ROLLBACK")
      fail(batch, "\(error)")
    }
  }

  private func lost(_ error: Error) {
    if let error = error as? PGError, error.connectionLost {
      connection = nil
      setFailure("the connection to PostgreSQL was lost: \(error.message)")
    } else {
      setFailure("\(error)")
    }
  }

  /// Waits up to 5 ms for `count` appends (the refused commands running again) and takes
  /// what is queued by then, within the batch limit.
  private func collectResubmitted(expecting count: Int) -> [Pending] {
    guard count > 0 else { return [] }
    let deadline = MonotonicClock.nanoseconds() + 5_000_000
    return lock.withLock {
      while shared.queue.count < count && !shared.stopping
        && MonotonicClock.nanoseconds() < deadline
      {
        lock.wait(untilMonotonicNanoseconds: deadline)
      }
      return takeQueued(atLeastOne: false)
    }
  }

  /// Takes the oldest queued appends, up to ``PostgresLogOptions/maxBatchEvents`` events (with
  /// `atLeastOne`, the first even when it alone holds more), in one removal. `lock` is held.
  private func takeQueued(atLeastOne: Bool) -> [Pending] {
    var (taken, events) = (0, 0)
    for pending in shared.queue {
      if (taken > 0 || !atLeastOne) && events + pending.lines.count > options.maxBatchEvents {
        break
      }
      (taken, events) = (taken + 1, events + pending.lines.count)
    }
    defer { shared.queue.removeFirst(taken) }
    return Array(shared.queue.prefix(taken))
  }

  /// Puts back the appends not made stale by the foreign events just applied; refuses the
  /// others with ``LogConflict``.
  private func requeueFresh(_ batch: [Pending]) {
    let fresh = refuseStale(batch)
    lock.withLock { shared.queue.insert(contentsOf: fresh, at: 0) }
  }

  /// Refuses with ``LogConflict`` the appends validated before the last foreign events were
  /// applied, and returns the others.
  private func refuseStale(_ batch: [Pending]) -> [Pending] {
    let started = lock.withLock { shared.started }
    var fresh: [Pending] = []
    for pending in batch {
      if let at = pending.validatedAt, at < started {
        lock.withLock { shared.statistics.conflicts += 1 }
        metrics?.conflicts?.increment()
        pending.continuation.resume(throwing: LogConflict())
      } else {
        fresh.append(pending)
      }
    }
    return fresh
  }

  private func acknowledge(_ batch: [Pending], first: UInt64) {
    var sequence = first - 1
    for pending in batch { sequence += UInt64(pending.lines.count) }
    lock.withLock {
      shared.last = max(shared.last, sequence)
      shared.statistics.commits += 1
    }
    sequence = first - 1
    for pending in batch {
      sequence += UInt64(pending.lines.count)
      pending.continuation.resume(returning: sequence)
    }
  }

  private func fail(_ batch: [Pending], _ reason: String) {
    for pending in batch {
      pending.continuation.resume(throwing: EventLogError.writesStopped(reason: reason))
    }
  }

  /// Applies every event after the last one known here.
  private func tail() throws {
    guard let connection else { return }
    while true {
      let rows = PostgresSchema.rows(
        try connection.exec(PostgresSchema.eventsAfter, [String(lastSequence), "10000"]))
      if rows.isEmpty { return }
      try apply(rows)
      if rows.count < 10000 { return }
    }
  }

  /// Hands other nodes' events to the application and waits until it has applied them.
  private func apply(_ rows: [(UInt64, String)]) throws {
    var expected = lastSequence + 1
    var records: [LogRecord<Event>] = []
    records.reserveCapacity(rows.count)
    for (seq, line) in rows {
      guard seq == expected else {
        throw EventLogError.corruptLine(
          file: "storefront_events", line: Int(seq), offset: 0,
          reason: "sequence \(seq) skips ahead (expected \(expected); rows are missing)")
      }
      records.append(try PostgresSchema.decode(line, sequence: seq, source: "storefront_events"))
      expected += 1
    }
    lock.withLock { shared.started += 1 }
    if let applyForeign {
      let done = OneShot<Bool>()
      let batch = records
      Task {
        await applyForeign(batch)
        done.set(true)
      }
      _ = done.wait()
    }
    lock.withLock {
      shared.finished = shared.started
      shared.last = expected - 1
      shared.statistics.foreignBatches += 1
    }
    metrics?.foreignBatches?.increment()
  }
}
