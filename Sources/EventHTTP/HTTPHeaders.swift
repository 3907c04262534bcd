/// Header fields in arrival order, looked up case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
  public private(set) var fields: [(name: String, value: String)]

  public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

  /// The first value of the header `name` (case-insensitive), or `nil`.
  public subscript(name: String) -> String? {
    for field in fields where Self.equalIgnoringASCIICase(field.name, name) {
      return field.value
    }
    return nil
  }

  /// Compares header names without allocating (names are ASCII tokens).
  static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    guard left.count == right.count else { return false }
    for (a, b) in zip(left, right) where a != b {
      guard a | 0x20 == b | 0x20, (a | 0x20) >= UInt8(ascii: "a"), (a | 0x20) <= UInt8(ascii: "z")
      else { return false }
    }
    return true
  }

  public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
    fields.makeIterator()
  }
}
