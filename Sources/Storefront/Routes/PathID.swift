/// Ids in paths: Django's `<int:pk>` converter (`[0-9]+`). The router already matches digits
/// only; an id too large for `Int` names nothing, and the path is an unknown route.
enum PathID {
  /// The id a captured segment stands for, or nil.
  static func parse(_ segment: Substring) -> Int? {
    guard !segment.isEmpty,
      segment.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { return nil }
    return Int(segment)
  }

  /// `APIRoute.acceptsParameters` for routes whose every capture is an id (the default).
  static let acceptsAll: @Sendable ([Substring]) -> Bool = { segments in
    segments.allSatisfy { parse($0) != nil }
  }
}

extension RouteCall {
  /// The id captured at `index` (checked by ``PathID/acceptsAll`` before the handler runs).
  func id(_ index: Int) throws(APIError) -> Int {
    guard index < parameters.count, let id = PathID.parse(parameters[index]) else {
      throw APIError.notFound
    }
    return id
  }
}
