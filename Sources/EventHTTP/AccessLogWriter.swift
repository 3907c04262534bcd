import Primitives
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one thread that writes a process's log output to a file descriptor (standard error):
/// the access lines of every registered ``AccessLog`` (one ring per loop) and whole lines
/// submitted from anywhere else (swift-log's), in batches of one `writev(2)` each.
///
/// Being the only writer of the descriptor, it cannot interleave or tear lines. It writes when
/// a ring passes its wake-up mark, when a submitted line arrives, and at least every
/// `flushInterval`. It may block in `writev` (a pipe nobody reads); loops never wait for it:
/// their rings fill and they drop lines, counted. Drops are reported as warning lines
/// (`access log: dropped N lines (buffer full)`) at most once per `flushInterval`, and when
/// flushed.
///
/// ```swift
/// let writer = AccessLogWriter(fileDescriptor: 2)
/// writer.submit("2026-11-28T02:14:07+0000 notice app: [App] hello\n")
/// _ = writer.flushBlocking(timeout: .seconds(2))
/// ```
// @unchecked Sendable: `state` is only read or written with `lock` held; every other stored
// property is immutable or itself Sendable (Atomic, Locked).
public final class AccessLogWriter: @unchecked Sendable {
  /// The descriptor written to (not closed by the writer).
  public let fileDescriptor: Int32
  /// The longest time a line waits before it is written.
  public let flushInterval: Duration
  /// The local time's offset from UTC, refreshed by the writer thread for the loops' lines.
  let utcOffset = Atomic<Int>(AccessLogTimestamp.currentUTCOffset())
  private let lineCapacity: Int
  private let reportFormatBox: Locked<AccessLogFormat?>
  /// Guards `state`; its condition wakes the writer thread (``State/woken``) and the threads
  /// waiting for a flush or for the writer to exit.
  private let lock = ConditionLock()
  private var state = State()

  private struct State {
    var sources: [AccessLog] = []
    /// Submitted whole lines not yet taken by the writer thread.
    var lines: [UInt8] = []
    var droppedLines = 0
    var unreportedDrops = 0
    var flushRequested = 0
    var flushCompleted = 0
    /// Set by anything the writer should look at; cleared by the writer as it looks.
    var woken = false
    var stopping = false
    var exited = false
    /// `flushCompleted` when a flush last timed out: while it has not moved since, the writer
    /// is stuck in a write and later flushes wait only briefly.
    var stuckAt: Int?
  }

  /// Starts the writer thread on `fileDescriptor`.
  ///
  /// - Parameters:
  ///   - lineBufferBytes: submitted lines waiting beyond this are dropped (and counted).
  ///   - reportFormat: how the writer reports its own dropped lines (`log: dropped N lines
  ///     (buffer full)`, at level `warning`); `nil` reports nothing.
  public init(
    fileDescriptor: Int32, flushInterval: Duration = .seconds(1), lineBufferBytes: Int = 1 << 20,
    reportFormat: AccessLogFormat? = nil
  ) {
    self.fileDescriptor = fileDescriptor
    self.flushInterval = flushInterval
    self.lineCapacity = lineBufferBytes
    self.reportFormatBox = Locked(reportFormat)
    DetachedThread.start(stackSize: 1 << 20) { [self] in
      run()
      withState { $0.exited = true }
    }
  }

  /// Queues `text`, which must be one or more whole lines, to be written as a unit; drops it
  /// (counted in ``droppedLines``) when `lineBufferBytes` are already waiting. Safe from any
  /// thread; the lock is held only to copy the bytes.
  public func submit(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      withState { state in
        guard state.lines.count + bytes.count <= lineCapacity else {
          state.droppedLines += 1
          state.unreportedDrops += 1
          return
        }
        state.lines.append(contentsOf: bytes)
        state.woken = true
      }
    }
  }

  /// How the writer reports its own dropped lines (e.g. switched to JSON with the logs).
  public var reportFormat: AccessLogFormat? {
    get { reportFormatBox.withLock { $0 } }
    set { reportFormatBox.withLock { $0 = newValue } }
  }

  /// Submitted lines dropped because the buffer was full (access lines count in their
  /// ``AccessLog/droppedLines``).
  public var droppedLines: Int { lock.withLock { state.droppedLines } }

  /// Waits (blocking the calling thread, at most `timeout`) until everything submitted or
  /// recorded before the call is written. Returns `false` on timeout (the descriptor blocks).
  public func flushBlocking(timeout: Duration) -> Bool {
    let (ticket, timeout) = requestFlush(timeout: timeout)
    let deadline = MonotonicClock.nanoseconds() + UInt64(timeout.nanoseconds)
    lock.lock()
    defer { lock.unlock() }
    while state.flushCompleted < ticket {
      if MonotonicClock.nanoseconds() >= deadline { return flushEnded(ticket, &state) }
      lock.wait(untilMonotonicNanoseconds: deadline)
    }
    return true
  }

  /// Like ``flushBlocking(timeout:)``, suspending instead of blocking.
  public func flush(timeout: Duration) async -> Bool {
    let (ticket, timeout) = requestFlush(timeout: timeout)
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while lock.withLock({ state.flushCompleted }) < ticket {
      if clock.now >= deadline { return lock.withLock { flushEnded(ticket, &state) } }
      try? await Task.sleep(for: .milliseconds(2))
    }
    return true
  }

  /// Takes a flush ticket and wakes the writer; shortens `timeout` to 100 ms while the writer
  /// is stuck since an earlier flush timed out (a blocked descriptor).
  private func requestFlush(timeout: Duration) -> (ticket: Int, timeout: Duration) {
    let (ticket, stuck) = withState { state in
      state.flushRequested += 1
      state.woken = true
      return (state.flushRequested, state.stuckAt == state.flushCompleted)
    }
    return (ticket, stuck ? min(timeout, .milliseconds(100)) : timeout)
  }

  /// After a flush's wait ran out: whether it completed after all; remembers a stuck writer.
  private func flushEnded(_ ticket: Int, _ state: inout State) -> Bool {
    if state.flushCompleted >= ticket { return true }
    state.stuckAt = state.flushCompleted
    return false
  }

  /// Writes what is waiting, then ends the writer thread (at most `timeout`; `false` when the
  /// descriptor blocked). Later lines are not written. For writers that are not the process's.
  @discardableResult
  public func stop(timeout: Duration) -> Bool {
    withState {
      $0.stopping = true
      $0.woken = true
    }
    let deadline = MonotonicClock.nanoseconds() + UInt64(timeout.nanoseconds)
    lock.lock()
    defer { lock.unlock() }
    while !state.exited {
      if MonotonicClock.nanoseconds() >= deadline { return false }
      lock.wait(untilMonotonicNanoseconds: deadline)
    }
    return true
  }

  /// Runs `body` on the state with the lock held, then wakes every thread waiting on the lock's
  /// condition (the writer, flushes, stops), which look again at what they wait for.
  private func withState<T>(_ body: (inout State) -> T) -> T {
    lock.withLock {
      let result = body(&state)
      lock.broadcast()
      return result
    }
  }

  // MARK: Sources

  func register(_ source: AccessLog) {
    withState { $0.sources.append(source) }
  }

  func unregister(_ source: AccessLog) {
    withState { $0.sources.removeAll { $0 === source } }
  }

  /// Called by a loop whose ring passed its wake-up mark (holds the lock only to set a flag).
  func wakeUp() { withState { $0.woken = true } }

  // MARK: The writer thread

  private func run() {
    var batch: [UInt8] = []
    var reports: [UInt8] = []
    var vectors: [iovec] = []
    var taken: [(ring: AccessLogRing, end: Int)] = []
    let clock = ContinuousClock()
    var lastReport = clock.now
    var lastOffset = clock.now
    let sleepNanoseconds = UInt64(max(1_000_000, flushInterval.nanoseconds))
    while true {
      let now = clock.now
      if now - lastOffset >= .seconds(1) {
        utcOffset.store(AccessLogTimestamp.currentUTCOffset(), ordering: .relaxed)
        lastOffset = now
      }
      let reportDue = now - lastReport >= flushInterval
      let pass = lock.withLock {
        state.woken = false
        swap(&state.lines, &batch)
        let report = reportDue || state.flushRequested > state.flushCompleted || state.stopping
        let ownDrops = report ? state.unreportedDrops : 0
        if report { state.unreportedDrops = 0 }
        return (
          sources: state.sources, ticket: state.flushRequested, stopping: state.stopping,
          report: report, ownDrops: ownDrops
        )
      }
      if pass.report {
        appendReports(
          sources: pass.sources, ownDrops: pass.ownDrops, into: &reports,
          seconds: AccessLogTimestamp.nowSeconds())
        lastReport = now
      }
      taken.removeAll(keepingCapacity: true)
      vectors.removeAll(keepingCapacity: true)
      var total = 0
      batch.withUnsafeBytes { lines in
        reports.withUnsafeBytes { reportBytes in
          // Ring lines first: they wait up to `flushInterval`, submitted ones are written at
          // once, so this keeps the output close to the order of events.
          for source in pass.sources {
            for ring in source.rings {
              // Cleared before looking, so that a producer passing its mark from now on rings
              // again (see AccessLog.record).
              ring.wakeRequested.store(false, ordering: .sequentiallyConsistent)
              let waiting = ring.waiting()
              Self.add(waiting.first, to: &vectors)
              Self.add(waiting.second, to: &vectors)
              taken.append((ring, waiting.end))
            }
          }
          Self.add(lines, to: &vectors)
          Self.add(reportBytes, to: &vectors)
          total = vectors.reduce(0) { $0 + $1.iov_len }
          writeAll(&vectors)
        }
      }
      for (ring, end) in taken { ring.consume(upTo: end) }
      batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16)
      reports.removeAll(keepingCapacity: true)
      completeFlushes(upTo: pass.ticket)
      if pass.stopping {
        if total == 0 { return }
        continue
      }
      let behind = pass.sources.contains { source in
        source.rings.contains { $0.waitingCount >= source.wakeMark }
      }
      if !behind { waitForWake(nanoseconds: sleepNanoseconds) }
    }
  }

  /// Waits until something wakes the writer, at most `nanoseconds`.
  private func waitForWake(nanoseconds: UInt64) {
    let deadline = MonotonicClock.nanoseconds() + nanoseconds
    lock.withLock {
      if !state.woken { lock.wait(untilMonotonicNanoseconds: deadline) }
    }
  }

  /// Warning lines for drops not yet reported: each source's, and the writer's own.
  private func appendReports(
    sources: [AccessLog], ownDrops: Int, into reports: inout [UInt8], seconds: Int
  ) {
    let offset = utcOffset.load(ordering: .relaxed)
    for source in sources {
      let dropped = source.dropped.load(ordering: .relaxed)
      let reported = source.reportedDrops.load(ordering: .relaxed)
      guard dropped > reported else { continue }
      source.reportedDrops.store(dropped, ordering: .relaxed)
      guard source.reportsDrops else { continue }
      reports += source.format.line(
        level: "warning", message: "access log: dropped \(dropped - reported) lines (buffer full)",
        seconds: seconds, utcOffset: offset)
    }
    if ownDrops > 0, let reportFormat = self.reportFormat {
      reports += reportFormat.line(
        level: "warning", message: "log: dropped \(ownDrops) lines (buffer full)",
        seconds: seconds, utcOffset: offset)
    }
  }

  private func completeFlushes(upTo ticket: Int) {
    withState { $0.flushCompleted = max($0.flushCompleted, ticket) }
  }

  private static func add(_ bytes: UnsafeRawBufferPointer, to vectors: inout [iovec]) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: bytes.count))
  }

  /// Writes every vector, continuing after partial writes; gives up on an error other than
  /// `EINTR`/`EAGAIN` (the output is gone: those bytes are lost).
  private func writeAll(_ vectors: inout [iovec]) {
    var index = 0
    while index < vectors.count {
      // 1024 is IOV_MAX on Linux (not visible from Swift).
      let count = Int32(min(vectors.count - index, 1024))
      let written = vectors.withUnsafeMutableBufferPointer { buffer in
        writev(fileDescriptor, buffer.baseAddress! + index, count)
      }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK {
          var ready = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
          _ = poll(&ready, 1, 100)
          continue
        }
        return
      }
      if written == 0 { return }
      var left = written
      while left > 0, index < vectors.count {
        if vectors[index].iov_len <= left {
          left -= vectors[index].iov_len
          index += 1
        } else {
          vectors[index].iov_base = vectors[index].iov_base.map { $0 + left }
          vectors[index].iov_len -= left
          left = 0
        }
      }
    }
  }
}

extension Duration {
  /// The duration in whole nanoseconds, at least 0.
  fileprivate var nanoseconds: Int {
    let (seconds, attoseconds) = components
    return max(0, Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000))
  }
}
