/// A static table of method + path patterns, matched segment by segment.
///
/// Patterns name variable segments in angle brackets, `<name>` for any non-empty segment and
/// `<int:name>` for digits only (Django's converter: `/products/<int:id>/` does not match
/// `/products/create/`); a trailing slash is optional both in patterns and in request paths:
///
/// ```swift
/// var router = Router<Handler>()
/// router.add(.PATCH, "/api/orders/<int:id>/update-status/", updateStatus)
/// if case .found(let handler, let parameters) = router.match(.PATCH, "/api/orders/7/update-status") {
///   // parameters == ["7"]
/// }
/// ```
public struct Router<Handler: Sendable>: Sendable {
  /// The outcome of matching a request.
  public enum Match {
    case found(Handler, parameters: [Substring])
    case notFound
    /// The path exists for other methods: `allowed` is the `Allow` header value, `parameters`
    /// the path's captures and `handlers` the path's own (to apply its checks before 405).
    case methodNotAllowed(allowed: String, parameters: [Substring], handlers: [HTTPMethod: Handler])
  }

  // Internal and @usableFromInline (not private) so `match` can be @inlinable: it is then
  // specialized for the caller's Handler instead of instantiating generic metadata at run time
  // on every request (perf: ~18% of the server's CPU on GET /api/products/categories/).
  @usableFromInline
  enum Segment: Sendable, Equatable {
    case literal(Substring)
    case parameter
    /// `<int:name>`: one or more ASCII digits.
    case integer
  }

  @usableFromInline
  struct Route: Sendable {
    @usableFromInline let segments: [Segment]
    @usableFromInline var handlers: [HTTPMethod: Handler]

    init(segments: [Segment], handlers: [HTTPMethod: Handler]) {
      self.segments = segments
      self.handlers = handlers
    }
  }

  @usableFromInline var routes: [Route] = []
  /// Each route's pattern as first added (e.g. `/products/<int:id>/`), by route index: the
  /// index ``matchRoute(_:_:)`` returns (for per-route metrics).
  public private(set) var patterns: [String] = []
  /// Routes without parameters by their path without its trailing slash: the common case is
  /// answered by one hash lookup, without splitting the path.
  @usableFromInline var staticRoutes: [String: Int] = [:]

  public init() {}

  /// Adds `handler` for `method` on `pattern`. A `GET` route also answers `HEAD`.
  public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: Handler) {
    let segments = Self.split(pattern).map { part -> Segment in
      guard part.first == "<", part.last == ">" else { return .literal(part) }
      return part.hasPrefix("<int:") ? .integer : .parameter
    }
    if let index = routes.firstIndex(where: { $0.segments == segments }) {
      routes[index].handlers[method] = handler
    } else {
      routes.append(Route(segments: segments, handlers: [method: handler]))
      patterns.append(pattern)
      if segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
        staticRoutes[Self.withoutTrailingSlash(pattern)] = routes.count - 1
      }
    }
  }

  /// `path` without one trailing slash (the root stays `/`).
  @inlinable
  static func withoutTrailingSlash(_ path: String) -> String {
    path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
  }

  /// Finds the handler for `method` and `path`.
  @inlinable
  public func match(_ method: HTTPMethod, _ path: String) -> Match {
    matchRoute(method, path).match
  }

  /// Like ``match(_:_:)``, with the index of the matched route in ``patterns`` (`-1` when no
  /// route matched the path).
  @inlinable
  public func matchRoute(_ method: HTTPMethod, _ path: String) -> (match: Match, route: Int) {
    let key = Self.withoutTrailingSlash(path)
    // `//` loses one slash to `/`, which is the root route's key, not its path.
    if key.utf8.count > 1 || path.utf8.count == 1, let index = staticRoutes[key] {
      return (Self.dispatch(method, routes[index], parameters: []), index)
    }
    let parts = Self.split(path)
    for (index, route) in routes.enumerated() where route.segments.count == parts.count {
      var parameters: [Substring] = []
      var matches = true
      for (segment, part) in zip(route.segments, parts) {
        switch segment {
        case .literal(let literal):
          if literal != part { matches = false }
        case .parameter:
          if part.isEmpty { matches = false } else { parameters.append(part) }
        case .integer:
          if !part.isEmpty, part.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) {
            parameters.append(part)
          } else {
            matches = false
          }
        }
        if !matches { break }
      }
      guard matches else { continue }
      return (Self.dispatch(method, route, parameters: parameters), index)
    }
    return (.notFound, -1)
  }

  /// The handler of `route` for `method` (`HEAD` falling back to `GET`), or a 405.
  @inlinable
  static func dispatch(_ method: HTTPMethod, _ route: Route, parameters: [Substring]) -> Match {
    if let handler = route.handlers[method] ?? (method == .HEAD ? route.handlers[.GET] : nil) {
      return .found(handler, parameters: parameters)
    }
    return .methodNotAllowed(
      allowed: allowHeader(for: route.handlers.keys), parameters: parameters,
      handlers: route.handlers)
  }

  /// The `Allow` value for `methods`, in Django REST framework's order, with `HEAD` for `GET`
  /// and `OPTIONS` always.
  public static func allowHeader(for methods: some Sequence<HTTPMethod>) -> String {
    var set = Set(methods)
    if set.contains(.GET) { set.insert(.HEAD) }
    set.insert(.OPTIONS)
    let order: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .HEAD, .OPTIONS, .TRACE]
    return order.filter(set.contains).map(\.rawValue).joined(separator: ", ")
  }

  /// The segments between slashes, without the leading and trailing empty ones (split on
  /// the UTF-8 view: `/` is ASCII, so every cut is a valid `Substring` boundary).
  @inlinable
  static func split(_ path: String) -> [Substring] {
    let bytes = path.utf8
    var parts: [Substring] = []
    parts.reserveCapacity(6)
    var start = bytes.startIndex
    var index = start
    while index != bytes.endIndex {
      if bytes[index] == UInt8(ascii: "/") {
        parts.append(path[start..<index])
        start = bytes.index(after: index)
      }
      index = bytes.index(after: index)
    }
    parts.append(path[start..<bytes.endIndex])
    if parts.first?.isEmpty == true { parts.removeFirst() }
    if parts.last?.isEmpty == true { parts.removeLast() }
    return parts
  }
}
