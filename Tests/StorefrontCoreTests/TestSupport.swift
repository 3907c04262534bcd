import JSON
import Primitives

@testable import StorefrontCore

/// One hashing pool for the whole suite (its threads live as long as the process).
let testPool = HashingPool(threadCount: 2)

/// Low PBKDF2 iterations so the suite stays fast.
let testAuthConfiguration = AuthConfiguration(passwordIterations: 50)

/// A sink whose appends fail while `isFailing` is set, recording what it accepted.
final class SwitchableSink: EventSink {
  struct WriteFailed: Error {}
  private let state = Locked<(failing: Bool, events: [ShopEvent])>((false, []))

  init(failing: Bool = false) { state.withLock { $0.failing = failing } }

  var isFailing: Bool {
    get { state.withLock { $0.failing } }
    set { state.withLock { $0.failing = newValue } }
  }

  var events: [ShopEvent] { state.withLock { $0.events } }

  func append(_ events: [ShopEvent]) async throws {
    try state.withLock {
      if $0.failing { throw WriteFailed() }
      $0.events.append(contentsOf: events)
    }
  }
}

/// A settable clock.
final class TestClock: Sendable {
  private let time = Locked<Timestamp>(Timestamp(iso8601: "2026-01-14T05:07:06.527149Z")!)
  var now: Timestamp { time.withLock { $0 } }
  func advance(seconds: Int64) { time.withLock { $0 = $0.adding(seconds: seconds) } }
  var closure: @Sendable () -> Timestamp { { self.now } }
}

/// A fresh shop over `sink`.
func makeShop(
  sink: any EventSink = InMemoryEventSink(), state: ShopState = ShopState(),
  auth: AuthConfiguration = testAuthConfiguration, clock: TestClock? = nil
) -> Shop {
  let now: @Sendable () -> Timestamp
  if let clock { now = clock.closure } else { now = { Timestamp.now() } }
  return Shop(
    state: state, sink: sink, configuration: ShopConfiguration(auth: auth),
    hashingPool: testPool, clock: now)
}

func registerBody(_ username: String, email: String? = nil, password: String = "test12345")
  -> JSONValue
{
  .object([
    "username": .string(username), "email": .string(email ?? "\(username)@example.com"),
    "password": .string(password),
  ])
}

func loginBody(_ username: String, password: String = "test12345") -> JSONValue {
  .object(["username": .string(username), "password": .string(password)])
}

/// Creates a staff user directly.
func makeAdmin(_ shop: Shop, _ name: String = "admin") async throws -> User {
  try await shop.auth.createSuperuser(
    username: name, email: "\(name)@example.com", password: "admin-pass-123")
}

/// The `.validation` body of an error, or nil.
func validationBody(_ error: any Error) -> JSONValue? {
  if case .validation(let validation) = error as? ShopError { return validation.body }
  return nil
}

/// `{"field": ["messages"...]}`.
func fieldError(_ field: String, _ messages: String...) -> JSONValue {
  .object(JSONObject([JSONObject.Member(field, .array(messages.map { .string($0) }))]))
}

/// Runs `body` and returns the `ShopError` it throws, or nil if it does not throw.
func shopError<T>(_ body: () async throws -> T) async -> ShopError? {
  do {
    _ = try await body()
    return nil
  } catch {
    return error as? ShopError
  }
}

/// A category and a product `{name, price 550, variants [stock...]}` made by `admin`.
@discardableResult
func makeProduct(
  _ shop: Shop, admin: User, name: String = "Sunscreen", price: String = "550",
  stocks: [Int] = [50], categoryName: String? = nil
) async throws -> Product {
  let category = try await shop.catalog.createCategory(
    .object(["name": .string(categoryName ?? "Category for \(name)")]), by: admin)
  return try await shop.catalog.createProduct(
    .object([
      "name": .string(name), "description": .string("SPF 30 sunscreen"), "price": .number(price),
      "category": .int(category.id),
      "variants": .array(
        stocks.enumerated().map { index, stock in
          .object([
            "size": .string("\(index)00ml"), "color": .string("White"), "stock": .int(stock),
          ])
        }),
    ]), by: admin)
}

func orderBody(_ items: [(product: Int, variant: Int?, quantity: Int)]) -> JSONValue {
  .object([
    "items": .array(
      items.map { item in
        var object = JSONObject([
          JSONObject.Member("product", .int(item.product))
        ])
        if let variant = item.variant { object["variant"] = .int(variant) }
        object["quantity"] = .int(item.quantity)
        return .object(object)
      })
  ])
}
