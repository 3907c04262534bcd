/// One header field.
public struct HTTPHeader: Sendable, Equatable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// Header fields in order, looked up case-insensitively.
///
/// ```swift
/// let headers: HTTPHeaders = ["Content-Type": "application/json", "Allow": "GET"]
/// headers["content-type"]  // "application/json"
/// ```
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
  public private(set) var fields: [HTTPHeader]

  public init(_ fields: [HTTPHeader] = []) { self.fields = fields }

  /// Fields in the order written (duplicates kept).
  public init(dictionaryLiteral elements: (String, String)...) {
    fields = elements.map { HTTPHeader($0.0, $0.1) }
  }

  /// The first value of the header `name` (case-insensitive), or `nil`.
  public subscript(name: String) -> String? {
    for field in fields where Self.equalIgnoringASCIICase(field.name, name) {
      return field.value
    }
    return nil
  }

  public mutating func add(_ name: String, _ value: String) {
    fields.append(HTTPHeader(name, value))
  }

  /// Appends every field of `other`.
  public mutating func add(contentsOf other: HTTPHeaders) { fields += other.fields }

  public var isEmpty: Bool { fields.isEmpty }

  public func makeIterator() -> IndexingIterator<[HTTPHeader]> { fields.makeIterator() }

  /// Compares header names without allocating (names are ASCII tokens).
  public static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8
    let right = rhs.utf8
    guard left.count == right.count else { return false }
    for (a, b) in zip(left, right) where a != b {
      guard a | 0x20 == b | 0x20, (a | 0x20) >= UInt8(ascii: "a"), (a | 0x20) <= UInt8(ascii: "z")
      else { return false }
    }
    return true
  }
}
