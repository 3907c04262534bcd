/// Categories, products, variants and their stock: the part of `ShopState` that
/// `CatalogService` owns.
public struct CatalogState: Sendable, Equatable {
  public internal(set) var categories: [Int: Category] = [:]
  /// Category ids by (case-sensitive) name.
  public internal(set) var categoryIdsByName: [String: Int] = [:]
  public internal(set) var products: [Int: Product] = [:]
  /// The product each variant belongs to.
  public internal(set) var productIdsByVariant: [Int: Int] = [:]
  public internal(set) var nextCategoryId = 1
  public internal(set) var nextProductId = 1
  public internal(set) var nextVariantId = 1

  public init() {}

  /// Applies the events that concern the catalog (including the stock deltas of orders);
  /// ignores the others.
  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .categoryCreated(let category):
      categories[category.id] = category
      categoryIdsByName[category.name] = category.id
      nextCategoryId = max(nextCategoryId, category.id + 1)
    case .productCreated(let product):
      products[product.id] = product
      for variant in product.variants {
        productIdsByVariant[variant.id] = product.id
        nextVariantId = max(nextVariantId, variant.id + 1)
      }
      nextProductId = max(nextProductId, product.id + 1)
    case .orderPlaced(_, let stock), .orderStatusChanged(_, _, _, let stock):
      apply(stock)
    case .sequencesRestored(let sequences):
      nextCategoryId = max(nextCategoryId, sequences.nextCategoryId)
      nextProductId = max(nextProductId, sequences.nextProductId)
      nextVariantId = max(nextVariantId, sequences.nextVariantId)
    default:
      break
    }
  }

  private mutating func apply(_ stock: [StockDelta]) {
    for change in stock {
      guard let productId = productIdsByVariant[change.variantId],
        let index = products[productId]?.variants.firstIndex(where: { $0.id == change.variantId })
      else { continue }
      products[productId]!.variants[index].stock += change.delta
    }
  }

  /// The variant with `id` and the id of its product.
  public func variant(_ id: Int) -> (productId: Int, variant: Variant)? {
    guard let productId = productIdsByVariant[id],
      let variant = products[productId]?.variants.first(where: { $0.id == id })
    else { return nil }
    return (productId, variant)
  }

  /// Categories by ascending id.
  public var sortedCategories: [Category] { categories.values.sorted { $0.id < $1.id } }
  /// Products by ascending id.
  public var sortedProducts: [Product] { products.values.sorted { $0.id < $1.id } }
}
