import Primitives

/// Where accepted mutations go before they are acknowledged: the event log, adapted by the
/// application (`EventLog` appends, group commit, fsync policy).
///
/// `append` returns once the events are durable under the log's policy, in the order given; it
/// throws when they could not be written, and the services then report `.unavailable` and leave
/// memory untouched. So it must throw only when the events will not be in the log: never after
/// they may have reached it (in particular, not on task cancellation once the write is queued).
/// Events of one call belong together (one mutation); the log should keep them in one batch.
///
/// A sink shared with other writers (other nodes on one PostgreSQL log) also applies their
/// events to the services (``Shop/applyForeign(_:)``). A command reads ``foreignPosition``
/// before validating (``rerunningOnConflict(_:isolation:_:)`` puts it in
/// ``SinkValidation/position``); if foreign events were applied since, `append` writes nothing
/// and throws ``EventSinkConflict``, and the command runs again on the newer state.
public protocol EventSink: Sendable {
  /// Writes `events` (one mutation's worth) durably, or throws.
  func append(_ events: [ShopEvent]) async throws
  /// How many batches of other writers' events have been applied (0 for a sole writer).
  var foreignPosition: UInt64 { get }
  /// Whether other writers share the log (then an unknown token is worth a ``catchUp()``).
  var isShared: Bool { get }
  /// Returns once other writers' events committed before the call have been applied.
  func catchUp() async
}

extension EventSink {
  public var foreignPosition: UInt64 { 0 }
  public var isShared: Bool { false }
  public func catchUp() async {}
}

/// Thrown by a shared sink's `append` when other writers' events were applied after the
/// command began validating; nothing was written, and the command should run again.
public struct EventSinkConflict: Error, Sendable, Equatable {
  public init() {}
}

/// The ``EventSink/foreignPosition`` the command running in this task validated against.
public enum SinkValidation {
  @TaskLocal public static var position: UInt64?
}

/// Runs `command` (validate, append, apply), again when the sink refused its append as stale
/// (``ShopError/writeConflict``), at most 64 times; on the caller's actor. Any other error of
/// `command` (a `ShopError`, or what a write's body throws) is rethrown as it is.
func rerunningOnConflict<T, Failure: Error>(
  _ sink: any EventSink, isolation: isolated (any Actor)? = #isolation,
  _ command: () async throws(Failure) -> T
) async throws(Failure) -> T {
  var attempts = 0
  while true {
    attempts += 1
    do {
      return try await SinkValidation.$position.withValue(
        sink.foreignPosition, operation: { try await command() }, isolation: isolation)
    } catch {
      if let conflict = error as? ShopError, conflict == .writeConflict, attempts < 64 { continue }
      // `withValue` rethrows untyped; what it rethrows is `command`'s, so a `Failure`.
      throw error as! Failure
    }
  }
}

extension ShopError {
  /// The error of a failed `EventSink.append`: a conflict to re-run, or 503.
  static func sinkFailure(_ error: any Error) -> ShopError {
    error is EventSinkConflict ? .writeConflict : .unavailable(reason: "\(error)")
  }
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
