import JSON
import Primitives
import Testing

@testable import StorefrontCore

/// ``populatedShop(sink:)`` after every kind of management write and idempotent orders.
func managedShop(sink: InMemoryEventSink, clock: TestClock = TestClock()) async throws -> Shop {
  let shop = try await populatedShop(sink: sink)
  _ = shop
  // populatedShop has its own clock; rebuild on the same events with a settable one.
  let managed = makeShop(sink: sink, state: ShopState(replaying: sink.events), clock: clock)
  let admin = try #require(await managed.auth.user(named: "admin"))
  let alice = try #require(await managed.auth.user(named: "alice"))
  let catalog = managed.catalog
  _ = try await catalog.updateProduct(
    id: 1, .object(["price": .string("5.25"), "name": .string("Sunscreen 2")]), by: admin)
  _ = try await catalog.updateCategory(id: 2, .object(["name": .string("Hats")]), by: admin)
  _ = try await catalog.addVariant(productId: 2, .object(["size": .string("L")]), by: admin)
  _ = try await catalog.updateVariant(
    productId: 1, variantId: 1, .object(["color": .string("Red"), "stock_delta": .int(4)]),
    by: admin)
  _ = try await catalog.updateVariant(
    productId: 1, variantId: 2, .object(["stock": .int(3)]), by: admin)
  let spare = try await makeProduct(managed, admin: admin, name: "Spare", stocks: [1])
  try await catalog.deleteProduct(id: spare.id, by: admin)
  try await catalog.deleteCategory(id: spare.categoryId, by: admin)
  _ = try await managed.orders.placeOrder(
    orderBody([(1, 1, 1)]), by: alice, idempotencyKey: "placed")
  _ = await shopError {
    try await managed.orders.placeOrder(
      orderBody([(1, 2, 99)]), by: alice, idempotencyKey: "refused")
  }
  return managed
}

@Suite struct ManagementStateTests {
  @Test func replayAndSnapshotKeepTheManagedState() async throws {
    let sink = InMemoryEventSink()
    let shop = try await managedShop(sink: sink)
    let live = await shop.currentState()
    let replayed = ShopState(replaying: sink.events)
    #expect(replayed == live)
    #expect(replayed.catalog.products[1]?.price == Money(cents: 525))
    #expect(replayed.catalog.products[1]?.variants.map(\.stock) == [48 + 4 - 1, 3])
    #expect(replayed.catalog.products[1]?.variants.first?.color == "Red")
    #expect(replayed.catalog.products[3] == nil)
    #expect(replayed.catalog.categories[3] == nil)
    #expect(replayed.catalog.categoryIdsByName["Hats"] == 2)
    #expect(replayed.idempotency.records.count == 2)
    #expect(replayed.idempotency.record(userId: 2, key: "refused")?.status == 400)

    let snapshot = replayed.snapshotEvents()
    let restored = ShopState(replaying: snapshot)
    #expect(restored == replayed)
    #expect(restored.sequences == replayed.sequences)
    #expect(restored.snapshotEvents() == snapshot)
    // Expired records are left out of a snapshot taken after their time.
    let later = try #require(replayed.idempotency.records.values.map(\.recordedAt).max())
    let pruned = ShopState(replaying: replayed.snapshotEvents(idempotencyCutoff: later))
    #expect(pruned.idempotency.records.isEmpty)
    #expect(pruned.catalog == replayed.catalog && pruned.orders == replayed.orders)
  }

  @Test func everyEventRoundTripsThroughTypeAndData() async throws {
    let sink = InMemoryEventSink()
    let shop = try await managedShop(sink: sink)
    let state = await shop.currentState()
    var types = Set<String>()
    for event in sink.events + state.snapshotEvents() {
      types.insert(event.type)
      #expect(try ShopEvent(type: event.type, data: event.encodeData()) == event)
    }
    #expect(types.count == 17)
    #expect(!types.contains("allTokensRevoked"))
  }

  @Test func newEventsHaveTheirDocumentedData() throws {
    let at = Timestamp(microseconds: 0)
    let cases: [(ShopEvent, String)] = [
      (
        .productUpdated(productId: 7, ProductChanges(price: Money(cents: 60_000))),
        #"{"id":7,"price":600}"#
      ),
      (
        .productUpdated(
          productId: 7,
          ProductChanges(name: "N", description: "", price: Money(cents: 5), categoryId: 2)),
        #"{"id":7,"name":"N","description":"","price":0.05,"category":2}"#
      ),
      (.productDeleted(productId: 7), #"{"id":7}"#),
      (
        .variantAdded(productId: 7, Variant(id: 12, size: "M", color: "", stock: 5)),
        #"{"product":7,"id":12,"size":"M","color":"","stock":5}"#
      ),
      (
        .variantUpdated(productId: 7, variantId: 12, VariantChanges(color: "Red")),
        #"{"product":7,"id":12,"color":"Red"}"#
      ),
      (.stockAdjusted(StockDelta(variantId: 12, delta: -3)), #"{"variant":12,"delta":-3}"#),
      (.categoryUpdated(Category(id: 3, name: "Hair")), #"{"id":3,"name":"Hair"}"#),
      (.categoryDeleted(categoryId: 3), #"{"id":3}"#),
      (
        .idempotencyRecorded(
          IdempotencyRecord(
            userId: 2, key: "k", requestDigest: "ab", status: 400,
            response: .object(["items": .array([.string("x")])]), recordedAt: at)),
        #"{"user":2,"key":"k","request":"ab","status":400,"response":{"items":["x"]},"recorded_at":"1970-01-01T00:00:00.000000Z"}"#
      ),
    ]
    for (event, data) in cases {
      #expect(String(decoding: event.encodeData().encoded(), as: UTF8.self) == data)
      #expect(try ShopEvent(type: event.type, data: event.encodeData()) == event)
    }
    #expect(throws: ShopEventDecodingError.self) {
      try ShopEvent(type: "stockAdjusted", data: .object(["variant": .int(1)]))
    }
    #expect(throws: ShopEventDecodingError.self) {
      try ShopEvent(type: "productUpdated", data: .object(["id": .int(1), "price": .string("x")]))
    }
  }

  @Test func requestDigestsCompareParsedJSON() throws {
    func digest(_ text: String) throws -> String {
      IdempotencyRecord.requestDigest(of: try JSONParser.parse(Array(text.utf8)))
    }
    let base = try digest(#"{"items": [{"product": 1, "quantity": 2}]}"#)
    #expect(try digest(#"{"items":[{"quantity":2.00,"product":1}]}"#) == base)
    #expect(try digest(#"{"items":[{"quantity":0.2e1,"product":1}], "a": null, "a": 1}"#) != base)
    #expect(try digest(#"{"items":[{"quantity":3,"product":1}]}"#) != base)
    #expect(try digest(#"{"items":[{"quantity":"2","product":1}]}"#) != base)
    #expect(try digest(#"[0, -0, 0.0]"#) == (try digest("[0,0,0]")))
    // Code points, not canonical equivalence: é precomposed and decomposed differ.
    #expect(try digest("[\"\u{E9}\"]") != (try digest("[\"e\u{301}\"]")))
  }

  @Test func idempotencyRecordsExpireOldestFirst() {
    var state = IdempotencyState()
    for (index, key) in ["a", "b", "a", "c"].enumerated() {
      state.apply(
        .idempotencyRecorded(
          IdempotencyRecord(
            userId: 1, key: key, requestDigest: "", status: 201, response: .null,
            recordedAt: Timestamp(microseconds: Int64(index) * 1_000_000))))
    }
    #expect(state.records.count == 3)
    state.prune(recordedBefore: Timestamp(microseconds: 1_000_000))
    // "b" (at 1 s) expired; "a" was recorded again at 2 s and stays.
    #expect(Set(state.records.keys.map(\.key)) == ["a", "c"])
    #expect(state.records(recordedAfter: Timestamp(microseconds: 2_000_000)).map(\.key) == ["c"])
    state.prune(recordedBefore: Timestamp(microseconds: 3_000_000))
    #expect(state.records.isEmpty)
  }

  @Test func idempotentPlacementExpiresAfterItsTimeToLive() async throws {
    let clock = TestClock()
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink, clock: clock)
    let admin = try await makeAdmin(shop)
    _ = try await makeProduct(shop, admin: admin, stocks: [10])
    let user = try await shop.auth.register(registerBody("u"))
    let body = orderBody([(1, 1, 1)])
    guard
      case .placed(let order) = try await shop.orders.placeOrder(
        body, by: user, idempotencyKey: "k")
    else { Issue.record("not placed"); return }
    clock.advance(seconds: 86_399)
    #expect(
      try await shop.orders.placeOrder(body, by: user, idempotencyKey: "k")
        == .replayed(status: 201, body: order.json))
    clock.advance(seconds: 1)
    guard
      case .placed(let second) = try await shop.orders.placeOrder(
        body, by: user, idempotencyKey: "k")
    else { Issue.record("not placed again"); return }
    #expect(second.id == 2)
    #expect(await shop.orders.currentIdempotency.records.count == 1)
  }

  @Test func managementWritesApplyInLogOrder() async throws {
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink)
    let admin = try await makeAdmin(shop)
    _ = try await makeProduct(shop, admin: admin, stocks: [100])
    _ = try await shop.catalog.createCategory(.object(["name": .string("Other")]), by: admin)
    let catalog = shop.catalog
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<30 {
        group.addTask {
          switch index % 3 {
          case 0:
            _ = try await catalog.updateProduct(
              id: 1, .object(["name": .string("Name \(index)"), "category": .int(index % 2 + 1)]),
              by: admin)
          case 1:
            _ = try await catalog.updateCategory(
              id: 2, .object(["name": .string("Other \(index)")]), by: admin)
          default:
            _ = try await catalog.updateVariant(
              productId: 1, variantId: 1, .object(["stock_delta": .int(-1)]), by: admin)
          }
        }
      }
      try await group.waitForAll()
    }
    let live = await shop.currentState()
    #expect(ShopState(replaying: sink.events) == live)
    #expect(live.catalog.products[1]?.variants[0].stock == 90)
    #expect(Array(shop.catalog.snapshot.current.products) == live.catalog.sortedProducts)
    #expect(shop.catalog.snapshot.current.categories == live.catalog.sortedCategories)
  }

  @Test func aCategoryBeingEmptiedAndFilledNeverKeepsAProductWhenDeleted() async throws {
    for _ in 0..<20 {
      let sink = InMemoryEventSink()
      let shop = makeShop(sink: sink)
      let admin = try await makeAdmin(shop)
      _ = try await shop.catalog.createCategory(.object(["name": .string("C")]), by: admin)
      let catalog = shop.catalog
      async let created = shopError {
        try await catalog.createProduct(
          .object(["name": .string("P"), "price": .int(1), "category": .int(1)]), by: admin)
      }
      async let deleted = shopError { try await catalog.deleteCategory(id: 1, by: admin) }
      let (createError, deleteError) = await (created, deleted)
      // Exactly one of them wins.
      #expect((createError == nil) != (deleteError == nil))
      let state = ShopState(replaying: sink.events)
      if state.catalog.categories[1] == nil { #expect(state.catalog.products.isEmpty) }
      #expect(state == (await shop.currentState()))
    }
  }

  @Test func aKeyInProgressIs409AndAnotherBodyIs422() async throws {
    let gate = GatedSink()
    let shop = makeShop(sink: gate)
    let admin = try await makeAdmin(shop)
    _ = try await makeProduct(shop, admin: admin, stocks: [10])
    let user = try await shop.auth.register(registerBody("u"))
    let orders = shop.orders
    gate.close()
    let first = Task {
      try await orders.placeOrder(orderBody([(1, 1, 1)]), by: user, idempotencyKey: "k")
    }
    try await gate.waitForHeldAppend()
    #expect(
      await shopError {
        try await orders.placeOrder(orderBody([(1, 1, 1)]), by: user, idempotencyKey: "k")
      } == .conflict(detail: "A request with this Idempotency-Key is in progress."))
    #expect(
      await shopError {
        try await orders.placeOrder(orderBody([(1, 1, 2)]), by: user, idempotencyKey: "k")
      } == .unprocessable(detail: "Idempotency-Key was already used with a different request body.")
    )
    gate.open()
    guard case .placed(let order) = try await first.value else {
      Issue.record("not placed")
      return
    }
    #expect(
      try await orders.placeOrder(orderBody([(1, 1, 1)]), by: user, idempotencyKey: "k")
        == .replayed(status: 201, body: order.json))
    #expect(await shop.catalog.currentState.products[1]?.variants[0].stock == 9)
  }
}

/// An in-memory sink whose appends wait while it is closed, so a write can be held between
/// its check and its commit deterministically.
final class GatedSink: EventSink {
  private let state = Locked<(closed: Bool, held: Int, events: [ShopEvent])>((false, 0, []))

  func close() { state.withLock { $0.closed = true } }
  func open() { state.withLock { $0.closed = false } }
  var events: [ShopEvent] { state.withLock { $0.events } }

  /// Returns once an append is waiting at the gate.
  func waitForHeldAppend() async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while state.withLock({ $0.held }) == 0 {
      guard ContinuousClock.now < deadline else { throw CancellationError() }
      try await Task.sleep(for: .milliseconds(1))
    }
  }

  func append(_ events: [ShopEvent]) async throws {
    var counted = false
    while state.withLock({ $0.closed }) {
      if !counted {
        state.withLock { $0.held += 1 }
        counted = true
      }
      try await Task.sleep(for: .milliseconds(1))
    }
    state.withLock {
      if counted { $0.held -= 1 }
      $0.events.append(contentsOf: events)
    }
  }
}
