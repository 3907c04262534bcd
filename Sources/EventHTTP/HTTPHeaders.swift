/// Header fields in arrival order, looked up case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
  public private(set) var fields: [(name: String, value: String)]

  public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

  /// The first value of the header `name` (case-insensitive), or `nil`.
  public subscript(name: String) -> String? {
    for field in fields where field.name.count == name.count {
      if field.name.lowercased() == name.lowercased() { return field.value }
    }
    return nil
  }

  public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

  public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
    fields.makeIterator()
  }
}
