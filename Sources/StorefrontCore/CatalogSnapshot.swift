import JSON
import Primitives

/// The catalog as last committed, with its list bodies encoded, readable from any thread
/// without an actor hop (the hot `GET /products/` and `GET /products/categories/` paths, the
/// detail routes and pages).
///
/// Readers only ever take a finished version: reading is a short lock around copying a few
/// array references, never an encoding. A render costs about what the changed products'
/// blocks cost (``ProductList``), whatever the catalog's size. `CatalogService` publishes what each committed batch
/// of events changed; a render task (on the concurrency pool, never an event loop) folds the
/// changes into id-ordered lists with each product's encoding (``CatalogListRenderer``),
/// assembles the bodies and swaps the new version in. Writes that arrive while a render runs
/// are folded into the next one. A writer awaits ``waitUntilRendered(_:)`` before
/// acknowledging, so a client that was told its write succeeded sees it in the lists.
///
/// ```swift
/// let body = catalog.snapshot.productsBody   // [SharedBytes.Part], ready to send with 200
/// ```
public final class CatalogSnapshot: Sendable {
  /// One published version of the catalog.
  public struct Content: Sendable {
    /// Categories by ascending id.
    public var categories: [Category]
    /// Products by ascending id, with committed stock, each encoded as in the list: a page is
    /// assembled from these encodings, not encoded.
    public var products: ProductList
    /// `[{"id":1,"name":"..."}]` as compact UTF-8 JSON.
    public var categoriesJSON: [UInt8]
    /// `[{"id":1,"name":...,"variants":[...]}]` as compact UTF-8 JSON, in parts to send one
    /// after another (``ProductList/bodyParts``).
    public var productsBody: [SharedBytes.Part]

    init(categories: [Category], products: ProductList, categoriesJSON: [UInt8]) {
      self.categories = categories
      self.products = products
      self.categoriesJSON = categoriesJSON
      productsBody = products.bodyParts
    }

    /// The body of `GET /products/` in one array (a copy of every block: for tests and
    /// tools; replies send ``productsBody``).
    public var productsJSON: [UInt8] { products.encoded }

    /// Product `id` (binary search over the id-ordered list), or nil.
    public func product(id: Int) -> Product? { products.product(id: id) }

    /// `product`'s encoding as it stands in the list (encoded afresh when it is not this
    /// version's value).
    public func fragment(of product: Product) -> [UInt8] { products.fragment(of: product) }

    /// Category `id`, or nil.
    public func category(id: Int) -> Category? {
      let index = CatalogListRenderer.position(of: id, in: categories)
      return index < categories.count && categories[index].id == id ? categories[index] : nil
    }
  }

  /// What waits to be rendered, and who waits for it.
  private struct Work {
    var pending = CatalogChanges()
    /// The generation of the newest published change, and of the newest rendered one.
    var published: UInt64 = 0
    var rendered: UInt64 = 0
    var rendering = false
    var waiters: [(generation: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
  }

  private let content: Locked<Content>
  private let work = Locked(Work())
  /// Touched only by the one running render (`Work.rendering` hands it over).
  private let renderer: Locked<CatalogListRenderer>

  init(state: CatalogState) {
    let renderer = CatalogListRenderer(state: state)
    content = Locked(
      Content(
        categories: renderer.categories, products: renderer.products,
        categoriesJSON: renderer.categoriesBody()))
    self.renderer = Locked(renderer)
  }

  /// The current version.
  public var current: Content { content.withLock { $0 } }
  /// The encoded body of `GET /products/`, in parts to send one after another.
  public var productsBody: [SharedBytes.Part] { content.withLock { $0.productsBody } }
  /// The encoded body of `GET /products/` in one array (a copy: for tests and tools).
  public var productsJSON: [UInt8] { current.productsJSON }
  /// The encoded body of `GET /products/categories/`.
  public var categoriesJSON: [UInt8] { content.withLock { $0.categoriesJSON } }

  /// Product `id` as the lists show it, or nil.
  public func product(id: Int) -> Product? { current.product(id: id) }

  /// Category `id` as the lists show it, or nil.
  public func category(id: Int) -> Category? { current.category(id: id) }

  /// Records what `events` (just applied to `state`) changed and starts a render if none is
  /// running; returns the generation for ``waitUntilRendered(_:)``.
  @discardableResult
  func publish(_ events: [ShopEvent], from state: CatalogState) -> UInt64 {
    let changes = CatalogChanges(events, in: state)
    let (generation, start) = work.withLock { work -> (UInt64, Bool) in
      work.pending.merge(changes)
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

  /// Renders published changes until none is pending, then wakes the writers they cover.
  private func renderPending() {
    while true {
      let next = work.withLock { work -> (CatalogChanges, UInt64)? in
        guard work.rendered < work.published else {
          work.rendering = false
          return nil
        }
        defer { work.pending = CatalogChanges() }
        return (work.pending, work.published)
      }
      guard let (changes, generation) = next else { return }
      if !changes.isEmpty {
        let previous = current
        let rendered = renderer.withLock { renderer in
          let changed = renderer.apply(changes)
          var content = previous
          if changed.products {
            content.products = renderer.products
            content.productsBody = renderer.products.bodyParts
          }
          if changed.categories {
            content.categories = renderer.categories
            content.categoriesJSON = renderer.categoriesBody()
          }
          return content
        }
        content.withLock { $0 = rendered }
      }
      let ready = work.withLock { work -> [CheckedContinuation<Void, Never>] in
        work.rendered = generation
        let ready = work.waiters.filter { $0.generation <= generation }.map(\.continuation)
        work.waiters.removeAll { $0.generation <= generation }
        return ready
      }
      for continuation in ready { continuation.resume() }
    }
  }
}
