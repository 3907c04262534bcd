import Primitives

/// Settings of the domain layer.
public struct ShopConfiguration: Sendable, Equatable {
  public var auth: AuthConfiguration
  /// How long an `Idempotency-Key` answer is replayed, in seconds (`api.idempotency_ttl_seconds`).
  public var idempotencyTTLSeconds: Int

  public init(auth: AuthConfiguration = AuthConfiguration(), idempotencyTTLSeconds: Int = 86_400) {
    self.auth = auth
    self.idempotencyTTLSeconds = idempotencyTTLSeconds
  }
}

/// The three services over one replayed state and one sink: what the HTTP layer holds.
///
/// ```swift
/// let state = ShopState(replaying: events)
/// let shop = Shop(state: state, sink: logSink, configuration: config, hashingPool: HashingPool())
/// let user = try await shop.auth.register(body)
/// ```
public struct Shop: Sendable {
  public let auth: AuthService
  public let catalog: CatalogService
  public let orders: OrderService

  public init(
    state: ShopState, sink: any EventSink, configuration: ShopConfiguration = ShopConfiguration(),
    hashingPool: HashingPool, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) {
    auth = AuthService(
      state: state.auth, sink: sink, configuration: configuration.auth, pool: hashingPool,
      clock: clock)
    catalog = CatalogService(state: state.catalog, sink: sink)
    orders = OrderService(
      state: state.orders, idempotency: state.idempotency,
      idempotencyTTLSeconds: configuration.idempotencyTTLSeconds, catalog: catalog, sink: sink,
      clock: clock)
  }

  /// Applies events other writers (other nodes sharing the log) committed, in log order, to
  /// the three services (the catalog lists show them once re-rendered).
  public func applyForeign(_ events: [ShopEvent]) async {
    await auth.applyForeign(events)
    await catalog.applyForeign(events)
    await orders.applyForeign(events)
  }

  /// The committed state of all three services, as one `ShopState` (for tests and tools; the
  /// log's compaction should rather keep its own `ShopState` fed in log order).
  public func currentState() async -> ShopState {
    var state = ShopState()
    state.auth = await auth.currentState
    state.catalog = await catalog.currentState
    state.orders = await orders.currentState
    state.idempotency = await orders.currentIdempotency
    return state
  }
}
