import JSON
import Testing

@testable import StorefrontCore

/// ``ProductList`` against the plain model it replaces: an id-ordered array encoded whole.
@Suite struct ProductListTests {
  static func product(_ id: Int, version: Int = 0) -> Product {
    Product(
      id: id, name: id % 4 == 0 ? "Crème \(id)" : "Item \(id)",
      description: "v\(version) ÉTÉ \(id % 10)", price: Money(cents: Int64(id * 100 + version)),
      categoryId: 1, variants: [Variant(id: id, size: "", color: "", stock: version)])
  }

  /// Checks every reading of `list` against `model` (by ascending id).
  static func expect(
    _ list: ProductList, equals model: [Product], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(Array(list) == model, sourceLocation: sourceLocation)
    let plain = JSONValue.array(model.map(\.json)).encoded()
    #expect(list.encoded == plain, sourceLocation: sourceLocation)
    #expect(
      list.bodyParts.reduce(0) { $0 + $1.range.count } == plain.count,
      sourceLocation: sourceLocation)
    for block in list.blocks {
      #expect(
        block.count > 0 && block.count <= ProductList.blockSize, sourceLocation: sourceLocation)
    }
    // Every block's first and last products, and a sample between.
    let ends = list.blocks.indices.flatMap { block -> [Int] in
      let start = list.blocks[..<block].reduce(0) { $0 + $1.count }
      return [start, start + list.blocks[block].count - 1]
    }
    for position in Set(ends + Array(stride(from: 0, to: model.count, by: 13))).sorted() {
      let product = model[position]
      #expect(list.product(id: product.id) == product, sourceLocation: sourceLocation)
      #expect(list.fragment(of: product) == product.json.encoded(), sourceLocation: sourceLocation)
      var writer = JSONWriter()
      list.writeFragment(at: position, to: &writer)
      #expect(writer.bytes == product.json.encoded(), sourceLocation: sourceLocation)
    }
    #expect(list.product(id: 0) == nil, sourceLocation: sourceLocation)
    #expect(list.product(id: (model.last?.id ?? 0) + 1) == nil, sourceLocation: sourceLocation)
  }

  @Test func blockBoundariesAndEmpty() {
    for count in [0, 1, 255, 256, 257, 512, 513] {
      let model = (1...max(count, 1)).prefix(count).map { Self.product($0) }
      let list = ProductList(model)
      Self.expect(list, equals: model)
      #expect(list.blocks.count == (count + 255) / 256, "\(count)")
    }
    #expect(ProductList([]).encoded == Array("[]".utf8))
  }

  @Test func changesMatchTheModel() {
    var model = (1...600).map { Self.product($0) }
    var list = ProductList(model)
    var generator = SplitMix(seed: 10)
    var nextId = 601
    for round in 0..<60 {
      var changes: [Int: Product?] = [:]
      for _ in 0..<Int(generator.next() % 40) {
        switch generator.next() % 4 {
        case 0:
          changes[nextId] = .some(Self.product(nextId))
          nextId += 1
        case 1:
          if let victim = model.randomElement(using: &generator) { changes[victim.id] = .some(nil) }
        case 2:
          if let target = model.randomElement(using: &generator) {
            changes[target.id] = .some(Self.product(target.id, version: round + 1))
          }
        default:
          // An unknown id deleted, or an unchanged value: no effect.
          changes[100_000 + round] = .some(nil)
          if let same = model.randomElement(using: &generator) { changes[same.id] = .some(same) }
        }
      }
      // Whole blocks at once: the first block's ids, then every product of the last block.
      if round == 30 { for id in model.prefix(300).map(\.id) { changes[id] = .some(nil) } }
      for (id, value) in changes {
        model.removeAll { $0.id == id }
        if let value { model.append(value) }
      }
      model.sort { $0.id < $1.id }
      list.apply(changes)
      Self.expect(list, equals: model)
    }
    // Deleting nearly everything leaves few blocks, not one per survivor.
    let survivors = Set(model.map(\.id).enumerated().filter { $0.offset % 50 == 0 }.map(\.element))
    var changes: [Int: Product?] = [:]
    for product in model where !survivors.contains(product.id) { changes[product.id] = .some(nil) }
    model.removeAll { !survivors.contains($0.id) }
    list.apply(changes)
    Self.expect(list, equals: model)
    #expect(list.blocks.count <= 2, "\(list.blocks.map(\.count))")
    // Emptied, then filled again.
    list.apply(Dictionary(uniqueKeysWithValues: model.map { ($0.id, Product?.none) }))
    Self.expect(list, equals: [])
    list.apply([5: .some(Self.product(5)), 3: .some(Self.product(3))])
    Self.expect(list, equals: [Self.product(3), Self.product(5)])
  }

  @Test func searchOverBlocksMatchesTheStringSearch() {
    let model = (1...700).map { Self.product($0) }
    let list = ProductList(model)
    for text in ["crème", "CRÈME", "été 3", "item 1", "é", "1", "12", "v0", "e 7", "z", "3 v0"] {
      let terms = ListQuery.searchTerms(text)
      let expected = model.indices.filter {
        ListQuery.matches(terms, model[$0].name, model[$0].description)
      }
      #expect(list.positions(matching: terms, where: { _ in true }) == expected, "\(text)")
      #expect(
        list.positions(matching: terms, where: { $0.id % 2 == 0 })
          == expected.filter { model[$0].id % 2 == 0 }, "\(text)")
    }
  }
}

/// A small deterministic generator (SplitMix64), so a failure repeats.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
