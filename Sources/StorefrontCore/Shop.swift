/// Settings of the domain layer.
public struct ShopConfiguration: Sendable, Equatable {
  public var auth: AuthConfiguration

  public init(auth: AuthConfiguration = AuthConfiguration()) {
    self.auth = auth
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
    orders = OrderService(state: state.orders, catalog: catalog, sink: sink, clock: clock)
  }

  /// The committed state of all three services, as one `ShopState` (for tests and tools; the
  /// log's compaction should rather keep its own `ShopState` fed in log order).
  public func currentState() async -> ShopState {
    var state = ShopState()
    state.auth = await auth.currentState
    state.catalog = await catalog.currentState
    state.orders = await orders.currentState
    return state
  }
}
