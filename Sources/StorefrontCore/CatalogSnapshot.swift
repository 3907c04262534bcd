import JSON
import Synchronization

/// The catalog as last committed, with its list bodies encoded, readable from any thread
/// without an actor hop (the hot `GET /products/` and `GET /products/categories/` paths).
///
/// Readers only ever take a finished body: reading is a short lock around copying two array
/// references, never an encoding. `CatalogService` publishes its state after each committed
/// change; a render task (on the concurrency pool, never an event loop) turns the newest
/// published state into bodies, re-encoding only the products that changed, and swaps them
/// in. A burst of writes while a render runs costs one more render, not one per write. A
/// writer awaits ``waitUntilRendered(_:)`` before acknowledging, so a client that was told
/// its write succeeded sees it in the lists.
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

    /// Product `id` (binary search over the id-ordered list), or nil.
    public func product(id: Int) -> Product? { CatalogSnapshot.find(id, in: products) }

    /// Category `id`, or nil.
    public func category(id: Int) -> Category? { CatalogSnapshot.find(id, in: categories) }
  }

  /// What waits to be rendered, and who waits for it.
  private struct Work {
    var pending: CatalogState?
    var categoriesChanged = false
    var productsChanged = false
    /// The generation of the newest published state, and of the newest rendered one.
    var published: UInt64 = 0
    var rendered: UInt64 = 0
    var rendering = false
    var waiters: [(generation: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
  }

  /// The renderer's own memory: each product's last encoding, with the value it came from.
  private struct EncodedProduct {
    var product: Product
    var bytes: [UInt8]
  }

  private let content: Mutex<Content>
  private let work = Mutex(Work())
  /// Only the one running render touches it (`Work.rendering` guards the hand-over).
  private let cache = Mutex<[Int: EncodedProduct]>([:])

  init(state: CatalogState) {
    var cache: [Int: EncodedProduct] = [:]
    content = Mutex(
      Self.render(
        state, categoriesChanged: true, productsChanged: true,
        previous: Content(categories: [], products: [], categoriesJSON: [], productsJSON: []),
        cache: &cache))
    self.cache.withLock { $0 = cache }
  }

  /// The current version.
  public var current: Content { content.withLock { $0 } }
  /// The encoded body of `GET /products/`.
  public var productsJSON: [UInt8] { content.withLock { $0.productsJSON } }
  /// The encoded body of `GET /products/categories/`.
  public var categoriesJSON: [UInt8] { content.withLock { $0.categoriesJSON } }

  /// Product `id` as the lists show it (binary search over the id-ordered list), or nil.
  public func product(id: Int) -> Product? { current.product(id: id) }

  /// Category `id` as the lists show it, or nil.
  public func category(id: Int) -> Category? { current.category(id: id) }

  fileprivate static func find<Element: Identifiable>(
    _ id: Int, in sorted: [Element]
  ) -> Element? where Element.ID == Int {
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle].id < id { low = middle + 1 } else { high = middle }
    }
    return low < sorted.count && sorted[low].id == id ? sorted[low] : nil
  }

  /// Records the committed `state` and starts rendering it if no render is running; returns
  /// its generation for ``waitUntilRendered(_:)``.
  @discardableResult
  func publish(state: CatalogState, categoriesChanged: Bool, productsChanged: Bool) -> UInt64 {
    let (generation, start) = work.withLock { work -> (UInt64, Bool) in
      work.pending = state
      work.categoriesChanged = work.categoriesChanged || categoriesChanged
      work.productsChanged = work.productsChanged || productsChanged
      work.published += 1
      let start = !work.rendering
      work.rendering = true
      return (work.published, start)
    }
    if start { Task.detached(priority: .high) { [self] in renderPending() } }
    return generation
  }

  /// Returns once the lists show generation `generation` (or a later one).
  func waitUntilRendered(_ generation: UInt64) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let done = work.withLock { work -> Bool in
        if work.rendered >= generation { return true }
        work.waiters.append((generation, continuation))
        return false
      }
      if done { continuation.resume() }
    }
  }

  /// Renders published states until none is pending, then wakes the writers they cover.
  private func renderPending() {
    while true {
      let next = work.withLock {
        work -> (CatalogState, Bool, Bool, UInt64)? in
        guard let state = work.pending else {
          work.rendering = false
          return nil
        }
        defer {
          work.pending = nil
          work.categoriesChanged = false
          work.productsChanged = false
        }
        return (state, work.categoriesChanged, work.productsChanged, work.published)
      }
      guard let (state, categoriesChanged, productsChanged, generation) = next else { return }
      let previous = current
      let rendered = cache.withLock { cache in
        Self.render(
          state, categoriesChanged: categoriesChanged, productsChanged: productsChanged,
          previous: previous, cache: &cache)
      }
      content.withLock { $0 = rendered }
      let ready = work.withLock { work -> [CheckedContinuation<Void, Never>] in
        work.rendered = generation
        let ready = work.waiters.filter { $0.generation <= generation }.map(\.continuation)
        work.waiters.removeAll { $0.generation <= generation }
        return ready
      }
      for continuation in ready { continuation.resume() }
    }
  }

  /// The bodies of `state`; what did not change is taken from `previous`.
  private static func render(
    _ state: CatalogState, categoriesChanged: Bool, productsChanged: Bool, previous: Content,
    cache: inout [Int: EncodedProduct]
  ) -> Content {
    var content = previous
    if categoriesChanged {
      let categories = state.sortedCategories
      content.categories = categories
      content.categoriesJSON = JSONValue.array(categories.map(\.json)).encoded()
    }
    if productsChanged {
      let products = state.sortedProducts
      content.products = products
      content.productsJSON = encodeList(products, cache: &cache)
    }
    return content
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
    if cache.count > products.count {
      // Deleted products: forget their encodings.
      let live = Set(products.map(\.id))
      cache = cache.filter { live.contains($0.key) }
    }
    return writer.bytes
  }
}
