/// What a batch of committed events changed in the catalog lists: the new value of every
/// product and category they touched (nil: it is gone), taken from the state right after.
///
/// Only these travel to the snapshot's renderer, never the whole `CatalogState`: a copy of the
/// state held by the renderer would make the service's next write copy every dictionary.
struct CatalogChanges: Sendable {
  var products: [Int: Product?] = [:]
  var categories: [Int: Category?] = [:]

  init() {}

  /// The changes `events` made, read from `state` (which they have been applied to).
  init(_ events: [ShopEvent], in state: CatalogState) {
    for event in events { record(event, in: state) }
  }

  var isEmpty: Bool { products.isEmpty && categories.isEmpty }

  /// Adds what `other` changed (later values win).
  mutating func merge(_ other: CatalogChanges) {
    products.merge(other.products) { _, new in new }
    categories.merge(other.categories) { _, new in new }
  }

  private mutating func record(_ event: ShopEvent, in state: CatalogState) {
    switch event {
    case .categoryCreated(let category), .categoryUpdated(let category):
      categories[category.id] = .some(state.categories[category.id])
    case .categoryDeleted(let id):
      categories[id] = .some(nil)
    case .productCreated(let product):
      products[product.id] = .some(state.products[product.id])
    case .productUpdated(let id, _), .productDeleted(let id), .variantAdded(let id, _),
      .variantUpdated(let id, _, _):
      products[id] = .some(state.products[id])
    case .stockAdjusted(let change):
      recordStock([change], in: state)
    case .orderPlaced(_, let stock), .orderStatusChanged(_, _, _, let stock):
      recordStock(stock, in: state)
    default:
      break
    }
  }

  private mutating func recordStock(_ stock: [StockDelta], in state: CatalogState) {
    for change in stock {
      guard let id = state.productIdsByVariant[change.variantId] else { continue }
      products[id] = .some(state.products[id])
    }
  }
}
