import JSON
import Synchronization

/// The catalog as last committed, with its list bodies encoded, readable from any thread
/// without an actor hop (the hot `GET /products/` and `GET /products/categories/` paths).
///
/// `CatalogService` publishes its state after every committed change; publishing only records
/// that state. The next read sorts and encodes it (re-encoding only the products that changed),
/// so a burst of orders between two reads costs one encoding, not one per order. Reads take a
/// short lock and retain the current immutable arrays.
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

  private struct Stored {
    var content: Content
    /// The last published state not yet turned into `content`, and what changed in it.
    var pending: CatalogState?
    var categoriesChanged = false
    var productsChanged = false
    /// Each product's last encoding, with the value it was made from.
    var encodedProducts: [Int: EncodedProduct] = [:]
  }

  private struct EncodedProduct {
    var product: Product
    var bytes: [UInt8]
  }

  private let stored: Mutex<Stored>

  init(state: CatalogState) {
    var initial = Stored(
      content: Content(categories: [], products: [], categoriesJSON: [], productsJSON: []),
      pending: state, categoriesChanged: true, productsChanged: true)
    Self.resolve(&initial)
    stored = Mutex(initial)
  }

  /// The current version.
  public var current: Content {
    stored.withLock { stored in
      Self.resolve(&stored)
      return stored.content
    }
  }
  /// The encoded body of `GET /products/`.
  public var productsJSON: [UInt8] {
    stored.withLock { stored in
      Self.resolve(&stored)
      return stored.content.productsJSON
    }
  }
  /// The encoded body of `GET /products/categories/`.
  public var categoriesJSON: [UInt8] {
    stored.withLock { stored in
      Self.resolve(&stored)
      return stored.content.categoriesJSON
    }
  }

  /// Records the committed `state`; the next read renders it.
  func publish(state: CatalogState, categoriesChanged: Bool, productsChanged: Bool) {
    stored.withLock { stored in
      stored.pending = state
      stored.categoriesChanged = stored.categoriesChanged || categoriesChanged
      stored.productsChanged = stored.productsChanged || productsChanged
    }
  }

  /// Turns a pending state into `content`.
  private static func resolve(_ stored: inout Stored) {
    guard let state = stored.pending else { return }
    stored.pending = nil
    if stored.categoriesChanged {
      let categories = state.sortedCategories
      stored.content.categories = categories
      stored.content.categoriesJSON = JSONValue.array(categories.map(\.json)).encoded()
    }
    if stored.productsChanged {
      let products = state.sortedProducts
      stored.content.products = products
      stored.content.productsJSON = encodeList(products, cache: &stored.encodedProducts)
    }
    stored.categoriesChanged = false
    stored.productsChanged = false
  }

  /// The product list body, re-encoding only the products that changed since the last
  /// rendering (an order changes one variant's stock; the rest is copied as bytes).
  private static func encodeList(
    _ products: [Product], cache: inout [Int: EncodedProduct]
  ) -> [UInt8] {
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
