import Primitives

/// Where accepted mutations go before they are acknowledged: the event log, adapted by the
/// application (`EventLog` appends, group commit, fsync policy).
///
/// `append` returns once the events are durable under the log's policy, in the order given; it
/// throws when they could not be written, and the services then report `.unavailable` and leave
/// memory untouched. So it must throw only when the events will not be in the log: never after
/// they may have reached it (in particular, not on task cancellation once the write is queued).
/// Events of one call belong together (one mutation); the log should keep them in one batch.
public protocol EventSink: Sendable {
  /// Writes `events` (one mutation's worth) durably, or throws.
  func append(_ events: [ShopEvent]) async throws
}

/// An `EventSink` that keeps events in memory, in append order. For tests and tools.
public final class InMemoryEventSink: EventSink {
  private let storage = Locked<[ShopEvent]>([])

  public init() {}

  public func append(_ events: [ShopEvent]) async throws {
    storage.withLock { $0.append(contentsOf: events) }
  }

  /// Everything appended so far.
  public var events: [ShopEvent] { storage.withLock { $0 } }
}
