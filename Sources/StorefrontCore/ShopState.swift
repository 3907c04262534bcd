/// The whole shop in memory, rebuilt by replaying the log.
///
/// A pure value: `apply(_:)` and `snapshotEvents()` touch nothing else, so the log's compaction
/// may call them on any thread.
///
/// ```swift
/// var state = ShopState()
/// for record in try log.replay() { state.apply(record.event) }
/// let shop = Shop(state: state, sink: sink, configuration: config, hashingPool: pool)
/// ```
public struct ShopState: Sendable, Equatable {
  public var auth = AuthState()
  public var catalog = CatalogState()
  public var orders = OrderState()
  public var idempotency = IdempotencyState()

  public init() {}

  /// Applies one event, in log order.
  public mutating func apply(_ event: ShopEvent) {
    auth.apply(event)
    catalog.apply(event)
    orders.apply(event)
    idempotency.apply(event)
  }

  /// Applies events in order.
  public mutating func apply(_ events: some Sequence<ShopEvent>) {
    for event in events { apply(event) }
  }

  /// A state rebuilt from `events`.
  public init(replaying events: some Sequence<ShopEvent>) {
    self.init()
    apply(events)
  }

  /// The next id of every kind.
  public var sequences: ShopSequences {
    ShopSequences(
      nextUserId: auth.nextUserId, nextCategoryId: catalog.nextCategoryId,
      nextProductId: catalog.nextProductId, nextVariantId: catalog.nextVariantId,
      nextOrderId: orders.nextOrderId, nextOrderItemId: orders.nextOrderItemId)
  }

  /// Events that, replayed into an empty state, recreate this state exactly (current stock, id
  /// counters, live tokens, order statuses, idempotency records). Products carry their current
  /// fields and stock (deleted ones are absent; the id counters keep their ids used) and orders
  /// are written as `orderRestored`, so no stock delta is applied twice.
  ///
  /// - Parameter idempotencyCutoff: idempotency records made at or before it have expired and
  ///   are left out (nil keeps them all).
  public func snapshotEvents(idempotencyCutoff: Timestamp? = nil) -> [ShopEvent] {
    var events: [ShopEvent] = [.sequencesRestored(sequences)]
    events += auth.users.values.sorted { $0.id < $1.id }.map { .userRegistered($0) }
    events += auth.tokens.values.sorted { ($0.createdAt, $0.digest) < ($1.createdAt, $1.digest) }
      .map { .tokenIssued($0) }
    events += catalog.sortedCategories.map { .categoryCreated($0) }
    events += catalog.sortedProducts.map { .productCreated($0) }
    events += orders.sortedOrders(ofUser: nil).map { .orderRestored($0) }
    events += idempotency.records(recordedAfter: idempotencyCutoff).map {
      .idempotencyRecorded($0)
    }
    return events
  }
}
