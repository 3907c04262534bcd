/// The slice of a list that a page shows: DRF's `LimitOffsetPagination` window, or the whole
/// list.
public struct ListWindow: Sendable, Hashable {
  /// Items skipped (saturated: an offset beyond `Int` skips everything).
  public var offset: Int
  /// At most this many items; nil for the whole list.
  public var limit: Int?

  public init(offset: Int = 0, limit: Int? = nil) {
    self.offset = offset
    self.limit = limit
  }

  /// The whole list.
  public static let all = ListWindow()

  /// The indices shown of a list of `count` items (empty past the end, as DRF answers).
  public func range(count: Int) -> Range<Int> {
    guard let limit else { return 0..<count }
    let start = min(max(offset, 0), count)
    let end = limit >= count - start ? count : start + limit
    return start..<end
  }
}
