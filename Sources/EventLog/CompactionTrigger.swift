import Primitives

/// Starts automatic compactions when the file has grown enough (checked after each write).
final class CompactionTrigger<Event: LogEvent>: Sendable {
  struct WeakLog {
    weak var log: EventLog<Event>?
    init(_ log: EventLog<Event>?) { self.log = log }
  }

  let enabled: Bool
  let factor: Double
  let minimumBytes: UInt64
  let log = Locked(WeakLog(nil))

  init(options: EventLogOptions<Event>) {
    enabled = options.compactor != nil
    factor = options.compactionFactor
    minimumBytes = options.compactionMinimumBytes
  }

  func check(size: UInt64, base: UInt64) {
    guard enabled, size >= minimumBytes, Double(size) >= factor * Double(base) else { return }
    guard let log = log.withLock({ $0.log }) else { return }
    if log.compaction.withLock({ $0.running || size < $0.automaticRetryAbove }) { return }
    log.startCompaction(waiter: nil)
  }
}
