import JSON
import Synchronization

/// The catalog as last committed, with its list bodies already encoded, readable from any thread
/// without an actor hop (the hot `GET /products/` and `GET /products/categories/` paths).
///
/// `CatalogService` replaces the content after every committed change; a read takes a short lock
/// and retains the current immutable arrays (no copy, no encoding).
///
/// ```swift
/// let body = catalog.snapshot.productsJSON   // [UInt8], ready to send with status 200
/// ```
public final class CatalogSnapshot: Sendable {
  /// One published version of the catalog.
  public struct Content: Sendable {
    /// Categories by ascending id.
    public var categories: [Category]
    /// Products by ascending id, with committed stock.
    public var products: [Product]
    /// `[{"id":1,"name":"..."}]` as compact UTF-8 JSON.
    public var categoriesJSON: [UInt8]
    /// `[{"id":1,"name":...,"variants":[...]}]` as compact UTF-8 JSON.
    public var productsJSON: [UInt8]
  }

  private let content: Mutex<Content>
  /// Each product's last encoding, with the value it was made from (used only by `publish`,
  /// which the catalog actor calls one at a time).
  private let productCache = Mutex<[Int: EncodedProduct]>([:])

  private struct EncodedProduct {
    var product: Product
    var bytes: [UInt8]
  }

  init(state: CatalogState) {
    content = Mutex(
      Self.content(categories: state.sortedCategories, products: state.sortedProducts))
  }

  /// The current version.
  public var current: Content { content.withLock { $0 } }
  /// The encoded body of `GET /products/`.
  public var productsJSON: [UInt8] { content.withLock { $0.productsJSON } }
  /// The encoded body of `GET /products/categories/`.
  public var categoriesJSON: [UInt8] { content.withLock { $0.categoriesJSON } }

  func publish(state: CatalogState, categoriesChanged: Bool, productsChanged: Bool) {
    let old = current
    let categories = categoriesChanged ? state.sortedCategories : old.categories
    let products = productsChanged ? state.sortedProducts : old.products
    let new = Content(
      categories: categories, products: products,
      categoriesJSON: categoriesChanged
        ? JSONValue.array(categories.map(\.json)).encoded() : old.categoriesJSON,
      productsJSON: productsChanged ? encodeList(products) : old.productsJSON)
    content.withLock { $0 = new }
  }

  /// The product list body, re-encoding only the products that changed since the last
  /// publication (an order changes one variant's stock; the rest is copied as bytes).
  private func encodeList(_ products: [Product]) -> [UInt8] {
    productCache.withLock { cache in
      var writer = JSONWriter(capacity: 2 + products.count * 256)
      writer.beginArray()
      for product in products {
        if let cached = cache[product.id], cached.product == product {
          writer.raw(cached.bytes)
        } else {
          let bytes = product.json.encoded()
          cache[product.id] = EncodedProduct(product: product, bytes: bytes)
          writer.raw(bytes)
        }
      }
      writer.endArray()
      return writer.bytes
    }
  }

  private static func content(categories: [Category], products: [Product]) -> Content {
    Content(
      categories: categories, products: products,
      categoriesJSON: JSONValue.array(categories.map(\.json)).encoded(),
      productsJSON: JSONValue.array(products.map(\.json)).encoded())
  }
}
