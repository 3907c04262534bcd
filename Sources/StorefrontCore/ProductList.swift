import JSON
import Primitives

/// The catalog's products by ascending id, in blocks of at most ``blockSize`` encoded once
/// each (``ProductBlock``): a change re-renders the blocks it touches and copies the table of
/// blocks, never the whole list, and the plain `GET /products/` body is the blocks' bytes one
/// after another (``bodyParts``), sent by reference.
///
/// ```swift
/// let list = ProductList(state.products.values.sorted { $0.id < $1.id })
/// list[0].name                       // products by position, in id order
/// list.product(id: 7)                // binary search over the blocks, then within one
/// ```
public struct ProductList: RandomAccessCollection, Sendable {
  /// The most products in a block.
  public static let blockSize = 256

  private(set) var blocks: [ProductBlock] = []
  /// `starts[b]`: the position of block `b`'s first product; one more entry, the count.
  private var starts: [Int] = [0]

  /// `products`, ascending by id.
  init(_ products: [Product]) {
    var index = 0
    while index < products.count {
      let end = Swift.min(index + Self.blockSize, products.count)
      blocks.append(ProductBlock(products[index..<end].map(ProductBlock.Entry.init)))
      index = end
    }
    reindex()
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { starts[starts.count - 1] }

  public subscript(position: Int) -> Product {
    let (block, slot) = location(position)
    return blocks[block].products[slot]
  }

  /// The block and slot of `position` (a binary search over the blocks).
  func location(_ position: Int) -> (block: Int, slot: Int) {
    precondition(position >= 0 && position < endIndex, "ProductList position out of range")
    var low = 0
    var high = blocks.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if starts[middle] <= position { low = middle } else { high = middle - 1 }
    }
    return (low, position - starts[low])
  }

  /// The block that holds, or would hold, `id`: the first whose last id is at least `id`
  /// (the last block when `id` is beyond them all); nil when there is no block.
  private func blockIndex(of id: Int) -> Int? {
    guard !blocks.isEmpty else { return nil }
    var low = 0
    var high = blocks.count - 1
    while low < high {
      let middle = (low + high) / 2
      if blocks[middle].lastId < id { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// Product `id` and where it is, or nil.
  func find(id: Int) -> (product: Product, block: Int, slot: Int)? {
    guard let block = blockIndex(of: id) else { return nil }
    let products = blocks[block].products
    let slot = CatalogListRenderer.position(of: id, in: products)
    guard slot < products.count, products[slot].id == id else { return nil }
    return (products[slot], block, slot)
  }

  /// Product `id`, or nil.
  public func product(id: Int) -> Product? { find(id: id)?.product }

  /// `product`'s encoding as it stands in the list (encoded afresh when it is not this
  /// version's value).
  public func fragment(of product: Product) -> [UInt8] {
    if let found = find(id: product.id), found.product == product {
      return Array(blocks[found.block].fragment(found.slot))
    }
    return product.json.encoded()
  }

  /// Appends product `position`'s encoding to `writer`.
  public func writeFragment(at position: Int, to writer: inout JSONWriter) {
    let (block, slot) = location(position)
    writer.raw(blocks[block].fragment(slot))
  }

  // MARK: The plain list

  private static let open = SharedBytes(Array("[".utf8))
  private static let close = SharedBytes(Array("]".utf8))
  private static let empty = SharedBytes(Array("[]".utf8))

  /// The body of `GET /products/` as parts to send one after another: `[`, the first block
  /// without its leading comma, the other blocks, `]`.
  public var bodyParts: [SharedBytes.Part] {
    guard let first = blocks.first else { return [SharedBytes.Part(Self.empty)] }
    var parts = [SharedBytes.Part(Self.open), SharedBytes.Part(first.body, 1..<first.body.count)]
    parts.reserveCapacity(blocks.count + 2)
    for block in blocks.dropFirst() { parts.append(SharedBytes.Part(block.body)) }
    parts.append(SharedBytes.Part(Self.close))
    return parts
  }

  /// The body of `GET /products/` in one array (a copy: for tests and tools).
  public var encoded: [UInt8] {
    var all: [UInt8] = []
    all.reserveCapacity(bodyParts.reduce(0) { $0 + $1.range.count })
    for part in bodyParts { all.append(contentsOf: part.bytes) }
    return all
  }

  // MARK: Search

  /// The positions of the products whose name or description holds every term, ascending.
  func positions(matching terms: [ListQuery.SearchTerm], where keep: (Product) -> Bool)
    -> [Int]
  {
    var positions: [Int] = []
    var matches = [UInt64](repeating: 0, count: (Self.blockSize + 63) / 64)
    for (index, block) in blocks.enumerated() {
      for word in matches.indices { matches[word] = ~0 }
      if !terms.isEmpty { block.match(terms, into: &matches) }
      let start = starts[index]
      let products = block.products
      for slot in products.indices where matches[slot >> 6] & (1 << UInt64(slot & 63)) != 0 {
        if keep(products[slot]) { positions.append(start + slot) }
      }
    }
    return positions
  }

  // MARK: Changes

  /// Applies the new value of each product in `changes` (nil: it is gone): re-renders the
  /// blocks they fall in, splits a block grown beyond ``blockSize``, merges a shrunk one into
  /// its neighbour when both fit in one.
  mutating func apply(_ changes: [Int: Product?]) {
    guard !changes.isEmpty else { return }
    let sorted = changes.sorted { $0.key < $1.key }
    var replaced: [(range: Range<Int>, blocks: [ProductBlock])] = []
    var index = 0
    while index < sorted.count {
      guard let target = blockIndex(of: sorted[index].key) else {
        // No block yet: the new products make the first ones.
        let products = sorted.compactMap { $0.value }
        replaced.append((0..<0, Self.blocks(of: products.map(ProductBlock.Entry.init))))
        break
      }
      // Every change up to the target's last id (all the rest for the last block).
      var end = index
      let isLast = target == blocks.count - 1
      while end < sorted.count, isLast || sorted[end].key <= blocks[target].lastId { end += 1 }
      let entries = Self.merge(blocks[target].entries, sorted[index..<end])
      replaced.append((target..<target + 1, Self.blocks(of: entries)))
      index = end
    }
    // Back to front, so earlier ranges stay valid.
    for (range, new) in replaced.reversed() { blocks.replaceSubrange(range, with: new) }
    // Where the new blocks are now, with the block before each run: the pairs to look at.
    var candidates: [Int] = []
    var shift = 0
    for (range, new) in replaced {
      let start = range.lowerBound + shift
      candidates.append(contentsOf: (start - 1)..<(start + Swift.max(new.count, 1)))
      shift += new.count - range.count
    }
    mergeSmallBlocks(at: candidates)
    reindex()
  }

  /// `entries` with `changes` (ascending ids) applied.
  private static func merge(
    _ entries: [ProductBlock.Entry], _ changes: ArraySlice<(key: Int, value: Product?)>
  ) -> [ProductBlock.Entry] {
    var result: [ProductBlock.Entry] = []
    result.reserveCapacity(entries.count + changes.count)
    var next = changes.startIndex
    for entry in entries {
      while next < changes.endIndex, changes[next].key < entry.product.id {
        if let product = changes[next].value { result.append(ProductBlock.Entry(product)) }
        next += 1
      }
      if next < changes.endIndex, changes[next].key == entry.product.id {
        if let product = changes[next].value {
          result.append(product == entry.product ? entry : ProductBlock.Entry(product))
        }
        next += 1
      } else {
        result.append(entry)
      }
    }
    for change in changes[next...] {
      if let product = change.value { result.append(ProductBlock.Entry(product)) }
    }
    return result
  }

  /// `entries` cut into blocks of ``blockSize`` (none when empty).
  private static func blocks(of entries: [ProductBlock.Entry]) -> [ProductBlock] {
    stride(from: 0, to: entries.count, by: blockSize).map {
      ProductBlock(Array(entries[$0..<Swift.min($0 + blockSize, entries.count)]))
    }
  }

  /// Merges block `position` of each of `positions` with its successor when they fit in one
  /// block together and one holds under a quarter of it, so deletions cannot leave the list
  /// in many tiny blocks.
  private mutating func mergeSmallBlocks(at positions: [Int]) {
    for position in Set(positions).sorted(by: >) {
      guard position >= 0, position + 1 < blocks.count else { continue }
      let (first, second) = (blocks[position], blocks[position + 1])
      guard first.count + second.count <= Self.blockSize,
        Swift.min(first.count, second.count) < Self.blockSize / 4
      else { continue }
      blocks.replaceSubrange(
        position...position + 1, with: [ProductBlock(first.entries + second.entries)])
    }
  }

  private mutating func reindex() {
    starts = [0]
    starts.reserveCapacity(blocks.count + 1)
    for block in blocks { starts.append(starts[starts.count - 1] + block.count) }
  }
}
