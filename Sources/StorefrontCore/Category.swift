import JSON

/// A product category; names are unique (case-sensitive).
public struct Category: Sendable, Hashable, Identifiable {
  public var id: Int
  /// At most 100 characters.
  public var name: String

  public init(id: Int, name: String) {
    self.id = id
    self.name = name
  }

  /// `{"id", "name"}`.
  public var json: JSONValue { .object(["id": .int(id), "name": .string(name)]) }
}
