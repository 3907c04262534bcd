import EventLog
import Primitives
import Storefront
import StorefrontCore

/// Writes a Storefront data directory whose log holds a small catalog, `users` customers and
/// `orders` placed orders (1-3 items each, with their stock deltas), through the library, so
/// the lines are exactly what a running server writes. The start-up benchmark replays it.
func generateShopLog(directory: String, orders: Int, users: Int = 1_000) async throws {
  let log = try EventLog<StorefrontCore.ShopEvent>.open(
    directory: directory, options: .init(policy: .never)
  ) { _ in }
  let start = Timestamp(microseconds: 1_780_000_000_000_000)
  let hash = "pbkdf2_sha256$1000$benchsalt0000000$" + String(repeating: "A", count: 43) + "="
  var setup: [StorefrontCore.ShopEvent] = (1...users).map { id in
    .userRegistered(
      User(
        id: id, username: "customer\(id)", email: "customer\(id)@example.com",
        passwordHash: hash, isStaff: id == 1, dateJoined: start))
  }
  setup += (1...5).map { .categoryCreated(Category(id: $0, name: "Category \($0)")) }
  let productCount = 50
  setup += (1...productCount).map { id in
    .productCreated(
      Product(
        id: id, name: "Product \(id)", description: "A fine product number \(id).",
        price: Money(cents: Int64(999 + id * 100)), categoryId: 1 + id % 5,
        variants: [
          Variant(id: 2 * id - 1, size: "M", color: "red", stock: 1_000_000_000),
          Variant(id: 2 * id, size: "L", color: "blue", stock: 1_000_000_000),
        ]))
  }
  _ = try await log.append(setup)

  var nextItem = 1
  var batch: [StorefrontCore.ShopEvent] = []
  batch.reserveCapacity(10_000)
  for id in 1...orders {
    var items: [OrderItem] = []
    for line in 0...(id % 3) {
      let product = 1 + (id * 7 + line * 13) % productCount
      let variant = 2 * product - (line % 2)
      items.append(
        OrderItem(
          id: nextItem, productId: product, variantId: variant, quantity: 1 + line,
          price: Money(cents: Int64(999 + product * 100))))
      nextItem += 1
    }
    let user = 2 + id % (users - 1)
    let placed = start.adding(seconds: Int64(id))
    let order = Order(
      id: id, userId: user, userName: "customer\(user)", status: .created, items: items,
      createdAt: placed, updatedAt: placed)
    let stock = items.map { StockDelta(variantId: $0.variantId!, delta: -$0.quantity) }
    batch.append(.orderPlaced(order, stock: stock))
    if batch.count == 10_000 || id == orders {
      _ = try await log.append(batch)
      batch.removeAll(keepingCapacity: true)
    }
  }
  try await log.close()
}
