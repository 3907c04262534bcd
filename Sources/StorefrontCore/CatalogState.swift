/// Categories, products, variants and their stock: the part of `ShopState` that
/// `CatalogService` owns. Deleted products and categories are gone from it (their ids stay
/// used: the `next...Id` counters never go back).
public struct CatalogState: Sendable, Equatable {
  public internal(set) var categories: [Int: Category] = [:]
  /// Category ids by (case-sensitive) name.
  public internal(set) var categoryIdsByName: [String: Int] = [:]
  public internal(set) var products: [Int: Product] = [:]
  /// The product each variant belongs to.
  public internal(set) var productIdsByVariant: [Int: Int] = [:]
  /// How many products each category has (categories without products are absent).
  public internal(set) var productCountsByCategory: [Int: Int] = [:]
  public internal(set) var nextCategoryId = 1
  public internal(set) var nextProductId = 1
  public internal(set) var nextVariantId = 1

  public init() {}

  /// Applies the events that concern the catalog (including the stock deltas of orders);
  /// ignores the others.
  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .categoryCreated(let category), .categoryUpdated(let category):
      if let old = categories[category.id], categoryIdsByName[old.name] == category.id {
        categoryIdsByName[old.name] = nil
      }
      categories[category.id] = category
      categoryIdsByName[category.name] = category.id
      nextCategoryId = max(nextCategoryId, category.id + 1)
    case .categoryDeleted(let categoryId):
      if let old = categories.removeValue(forKey: categoryId),
        categoryIdsByName[old.name] == categoryId
      {
        categoryIdsByName[old.name] = nil
      }
    case .productCreated(let product):
      remove(productId: product.id)
      insert(product)
      nextProductId = max(nextProductId, product.id + 1)
    case .productUpdated(let productId, let changes):
      guard let product = products[productId] else { break }
      remove(productId: productId)
      insert(changes.applied(to: product))
    case .productDeleted(let productId):
      remove(productId: productId)
    case .variantAdded(let productId, let variant):
      guard products[productId] != nil else { break }
      products[productId]!.variants.append(variant)
      productIdsByVariant[variant.id] = productId
      nextVariantId = max(nextVariantId, variant.id + 1)
    case .variantUpdated(let productId, let variantId, let changes):
      guard let index = products[productId]?.variants.firstIndex(where: { $0.id == variantId })
      else { break }
      products[productId]!.variants[index] = changes.applied(
        to: products[productId]!.variants[index])
    case .stockAdjusted(let change):
      apply([change])
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

  private mutating func insert(_ product: Product) {
    products[product.id] = product
    productCountsByCategory[product.categoryId, default: 0] += 1
    for variant in product.variants {
      productIdsByVariant[variant.id] = product.id
      nextVariantId = max(nextVariantId, variant.id + 1)
    }
  }

  private mutating func remove(productId: Int) {
    guard let product = products.removeValue(forKey: productId) else { return }
    productCountsByCategory[product.categoryId, default: 0] -= 1
    if productCountsByCategory[product.categoryId] == 0 {
      productCountsByCategory[product.categoryId] = nil
    }
    for variant in product.variants where productIdsByVariant[variant.id] == productId {
      productIdsByVariant[variant.id] = nil
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
