/// What the application needs of an event log, whichever backend holds it: the single file
/// (``EventLog``) or PostgreSQL shared by several nodes (``PostgresEventLog``).
///
/// ```swift
/// let store: any EventStore<ShopEvent> = try EventLog<ShopEvent>.open(...)
/// let sequence = try await store.append(events, validatedAt: store.foreignPosition)
/// ```
public protocol EventStore<Event>: AnyObject, Sendable {
  associatedtype Event: LogEvent

  /// Appends one mutation's events (group commit with concurrent callers) and returns the last
  /// sequence once durable. `validatedAt`, when given, is the ``foreignPosition`` the caller
  /// validated the mutation against: if other writers' events have been applied since, nothing
  /// is written and the call throws ``LogConflict`` (the caller re-validates and tries again).
  func append(_ events: [Event], validatedAt: UInt64?) async throws -> UInt64

  /// Whether other writers (nodes) share the log: then ``foreignPosition`` moves and
  /// ``catchUp()`` waits for their events.
  var isShared: Bool { get }

  /// How many batches of other writers' events have been applied to the application (0 for a
  /// log with one writer). Read it before validating a mutation; pass it to `append`.
  var foreignPosition: UInt64 { get }

  /// Returns once every event other writers had committed when it was called has been
  /// applied (at once for a log with one writer, or when the log cannot be reached).
  func catchUp() async

  /// Why the log refuses writes now, or nil while it takes them.
  var writeFailure: EventLogError? { get }

  /// The last sequence written (or applied) and the log's size in bytes (0 when unknown).
  var written: (sequence: UInt64, bytes: UInt64) { get }

  /// Writes a snapshot of the state so that a later start replays less.
  func compact() async throws

  /// Finishes what is queued and releases the log. Idempotent.
  func close() async throws
}

/// An append refused because other writers' events reached the application after the caller
/// validated its mutation; they are applied by the time this is thrown.
public struct LogConflict: Error, Sendable, Equatable {
  public init() {}
}

extension EventLog: EventStore {
  /// A file log has one writer: `validatedAt` is never stale.
  public func append(_ events: [Event], validatedAt: UInt64?) async throws -> UInt64 {
    try await append(events)
  }

  public var isShared: Bool { false }

  public var foreignPosition: UInt64 { 0 }

  public func catchUp() async {}
}
