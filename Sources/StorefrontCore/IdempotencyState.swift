import Primitives

/// The live idempotency records, by user and key: the part of `ShopState` that
/// `OrderService` consults for `Idempotency-Key` on `POST /orders/`.
///
/// Replay keeps every record of the log; expiry is judged against a clock by the service
/// (``prune(recordedBefore:)``) and by compaction (``records(recordedAfter:)``), so `apply`
/// stays a pure function of the events.
public struct IdempotencyState: Sendable {
  /// A key as scoped to its user.
  public struct Scope: Sendable, Hashable {
    public var userId: Int
    public var key: String
  }

  public internal(set) var records: [Scope: IdempotencyRecord] = [:]
  /// Scopes in recording order with the time of that recording, for expiry from the oldest
  /// (an entry whose scope was recorded again since, or is gone, is stale and skipped).
  private var recordingOrder: [(scope: Scope, recordedAt: Timestamp)] = []
  private var head = 0

  public init() {}

  /// Applies `idempotencyRecorded`; ignores other events.
  public mutating func apply(_ event: ShopEvent) {
    guard case .idempotencyRecorded(let record) = event else { return }
    let scope = Scope(userId: record.userId, key: record.key)
    records[scope] = record
    recordingOrder.append((scope, record.recordedAt))
  }

  /// The record for `key` of `userId`, expired or not.
  public func record(userId: Int, key: String) -> IdempotencyRecord? {
    records[Scope(userId: userId, key: key)]
  }

  /// Drops the records made at or before `cutoff` (now minus the time to live), oldest first,
  /// until the oldest left is younger. Amortized constant time per record.
  public mutating func prune(recordedBefore cutoff: Timestamp) {
    while head < recordingOrder.count {
      let (scope, recordedAt) = recordingOrder[head]
      if records[scope]?.recordedAt == recordedAt {
        guard recordedAt <= cutoff else { break }
        records[scope] = nil
      }
      head += 1
    }
    if head > 64, head * 2 > recordingOrder.count {
      recordingOrder.removeFirst(head)
      head = 0
    }
  }

  /// The records made after `cutoff` (all when nil), oldest first: what a snapshot keeps.
  public func records(recordedAfter cutoff: Timestamp?) -> [IdempotencyRecord] {
    records.values
      .filter { cutoff == nil || $0.recordedAt > cutoff! }
      .sorted { first, second in
        if first.recordedAt != second.recordedAt { return first.recordedAt < second.recordedAt }
        if first.userId != second.userId { return first.userId < second.userId }
        return first.key.utf8.lexicographicallyPrecedes(second.key.utf8)
      }
  }
}

extension IdempotencyState: Equatable {
  /// Equal when they hold the same records (the expiry bookkeeping is not state).
  public static func == (lhs: IdempotencyState, rhs: IdempotencyState) -> Bool {
    lhs.records == rhs.records
  }
}
