import JSON
import Primitives

/// Up to ``ProductList/blockSize`` consecutive products (by id) of the catalog, encoded once:
/// the unit a change re-renders.
///
/// `body` is `,p1,p2,...` (each product's JSON after a comma), so the plain list is `[`, the
/// first block without its comma, the other blocks, `]`. `searchText` is each product's name
/// and description folded for `search` (``ListQuery/folded(_:)``), a NUL byte after each
/// (no search term holds one, so no match spans two texts).
final class ProductBlock: Sendable {
  /// Ascending by id; never empty.
  let products: [Product]
  /// The encoded products, each after a comma.
  let body: SharedBytes
  /// Where each product's JSON ends in `body` (it starts one byte after the previous end).
  let fragmentEnds: [Int]
  /// Folded name NUL description NUL, product after product.
  let searchText: [UInt8]
  /// Where each product's search text ends in `searchText` (after its last NUL).
  let searchEnds: [Int]

  /// A block of `entries`, in their order (ascending id).
  init(_ entries: [Entry]) {
    var body: [UInt8] = []
    body.reserveCapacity(entries.reduce(0) { $0 + $1.fragment.count + 1 })
    var text: [UInt8] = []
    text.reserveCapacity(entries.reduce(0) { $0 + $1.searchText.count })
    var fragmentEnds: [Int] = []
    var searchEnds: [Int] = []
    fragmentEnds.reserveCapacity(entries.count)
    searchEnds.reserveCapacity(entries.count)
    for entry in entries {
      body.append(UInt8(ascii: ","))
      body.append(contentsOf: entry.fragment)
      fragmentEnds.append(body.count)
      text.append(contentsOf: entry.searchText)
      searchEnds.append(text.count)
    }
    products = entries.map(\.product)
    self.body = SharedBytes(body)
    self.fragmentEnds = fragmentEnds
    searchText = text
    self.searchEnds = searchEnds
  }

  /// One product with its encoding and search text, between two blocks' builds.
  struct Entry {
    var product: Product
    var fragment: ArraySlice<UInt8>
    var searchText: ArraySlice<UInt8>

    /// `product`, encoded and folded afresh.
    init(_ product: Product) {
      self.product = product
      fragment = product.json.encoded()[...]
      var text = ListQuery.folded(product.name)
      text.append(0)
      text.append(contentsOf: ListQuery.folded(product.description))
      text.append(0)
      searchText = text[...]
    }

    init(product: Product, fragment: ArraySlice<UInt8>, searchText: ArraySlice<UInt8>) {
      self.product = product
      self.fragment = fragment
      self.searchText = searchText
    }
  }

  /// The products as entries, reusing their encodings.
  var entries: [Entry] {
    let body = Array(self.body.bytes)
    var entries: [Entry] = []
    entries.reserveCapacity(products.count)
    for index in products.indices {
      entries.append(
        Entry(
          product: products[index], fragment: body[fragmentRange(index)],
          searchText: searchText[searchRange(index)]))
    }
    return entries
  }

  var count: Int { products.count }
  var firstId: Int { products[0].id }
  var lastId: Int { products[products.count - 1].id }

  /// Where product `index`'s JSON is in `body`.
  func fragmentRange(_ index: Int) -> Range<Int> {
    (index == 0 ? 1 : fragmentEnds[index - 1] + 1)..<fragmentEnds[index]
  }

  /// Where product `index`'s search text is in `searchText`.
  func searchRange(_ index: Int) -> Range<Int> {
    (index == 0 ? 0 : searchEnds[index - 1])..<searchEnds[index]
  }

  /// Product `index`'s JSON.
  func fragment(_ index: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: body.bytes[fragmentRange(index)])
  }

  /// Sets in `matches` (bit `i` of word `i / 64`, all set on entry) the products whose search
  /// text holds every term, clearing the others. Each term is one scan of the block's text
  /// (a match skips to the next product).
  func match(_ terms: [ListQuery.SearchTerm], into matches: inout [UInt64]) {
    searchText.withUnsafeBufferPointer { text in
      for term in terms {
        var found = [UInt64](repeating: 0, count: matches.count)
        var product = 0
        var position = 0
        while position < text.count, let hit = term.firstMatch(in: text, from: position) {
          while searchEnds[product] <= hit { product += 1 }
          found[product >> 6] |= 1 << UInt64(product & 63)
          position = searchEnds[product]
        }
        for word in matches.indices { matches[word] &= found[word] }
      }
    }
  }
}
