import EventHTTP
import JSON
import StorefrontCore

/// Serves the API under a path prefix: routing, limits, authentication and permissions in
/// DRF's order, then the route's handler.
///
/// Anonymous reads with a pre-encoded body (catalog lists, health) are answered on the loop
/// thread at once; everything else runs as a task whose reply the loop sends.
struct StorefrontResponder: HTTPResponder {
  let app: StorefrontApp
  /// The mount point without trailing slash, e.g. `/api`.
  let prefix: String
  let maxBodyBytes: Int
  let router = APIRoutes.table
  /// `throttle.*` (off by default).
  let throttle: RequestThrottle
  /// Whether replies carry their route's index (``HTTPResponse/route``, for metrics); off, the
  /// replies of tasks are not wrapped.
  let tagsRoutes: Bool

  init(app: StorefrontApp, prefix: String, maxBodyBytes: Int, tagsRoutes: Bool = false) {
    self.app = app
    self.tagsRoutes = tagsRoutes
    var prefix = prefix
    while prefix.hasSuffix("/") { prefix.removeLast() }
    self.prefix = prefix
    self.maxBodyBytes = maxBodyBytes
    self.throttle = RequestThrottle(app.config.throttle)
  }

  func respond(to request: HTTPRequest) -> HTTPReply {
    guard tagsRoutes else {
      var ignored = -1
      return answer(request, route: &ignored)
    }
    var index = -1
    switch answer(request, route: &index) {
    case .now(var response):
      response.route = index
      return .now(response)
    case .later(let produce):
      return .later { [index] in
        var response = await produce()
        response.route = index
        return response
      }
    case .watched(let produce):
      return .watched { [index] client in
        var response = await produce(client)
        response.route = index
        return response
      }
    }
  }

  /// The labels of the route indexes ``respond(to:)`` sets: `/api/products/<int:id>/`...
  static func routeLabels(prefix: String) -> [String] {
    var prefix = prefix
    while prefix.hasSuffix("/") { prefix.removeLast() }
    return APIRoutes.table.patterns.map { prefix + $0 }
  }

  /// The reply, and in `index` the matched route's index in the table (-1 when none).
  private func answer(_ request: HTTPRequest, route index: inout Int) -> HTTPReply {
    guard let path = relativePath(request.path) else { return .now(APIError.notFound.response) }
    if request.body.count > maxBodyBytes { return .now(APIError.bodyTooLarge.response) }
    let route: APIRoute
    var parameters: [Substring] = []
    var notAllowed: String?
    let (match, matchedIndex) = router.matchRoute(request.method, path)
    index = matchedIndex
    switch match {
    case .notFound:
      return .now(APIError.notFound.response)
    case .found(let found, let captured):
      route = found
      parameters = captured
    case .methodNotAllowed(let allowed, let sibling):
      route = sibling
      if request.method != .OPTIONS { notAllowed = allowed }
      // The router gives no captures here: take them from a method the path does have.
      if let first = allowed.split(separator: ",").first,
        let method = HTTPMethod(rawValue: first.trimmingCharacters(in: .whitespaces)),
        case .found(_, let captured) = router.match(method, path)
      {
        parameters = captured
      }
    }
    guard route.acceptsParameters(parameters) else {
      index = -1
      return .now(APIError.notFound.response)
    }
    let header =
      route.permission == .noCredentials
      ? .absent : TokenHeader.parse(Self.authorization(request.headers))
    if header == .absent, notAllowed == nil, request.method != .OPTIONS,
      let immediate = route.immediate
    {
      return .now(immediate(app))
    }
    let answer: @Sendable (ClientWatch?) async -> HTTPResponse = {
      [app, parameters, notAllowed] client in
      do {
        let (user, token) = try await authenticate(header)
        try authorize(route.permission, user)
        if let refusal = throttle.refusal(route.permission, request, user) { return refusal }
        if let notAllowed { throw APIError.methodNotAllowed(request.method, allowed: notAllowed) }
        if request.method == .OPTIONS { return options(route, path: path) }
        return try await route.handle(
          RouteCall(
            request: request, parameters: parameters, app: app, user: user, token: token,
            client: client))
      } catch let error as APIError {
        return error.response
      } catch let error as ShopError {
        return APIError.from(error).response
      } catch {
        return JSONResponse.detail(500, "A server error occurred.")
      }
    }
    if route.watchesClient { return .watched { await answer($0) } }
    return .later { await answer(nil) }
  }

  /// The `Authorization` value; several fields are joined with `,` as gunicorn hands them to
  /// Django (so `Token a` twice reads as a token with a space: 401, as DRF answers).
  static func authorization(_ headers: HTTPHeaders) -> String? {
    var value: String?
    for field in headers where HTTPHeaders.equalIgnoringASCIICase(field.name, "Authorization") {
      value = value.map { $0 + "," + field.value } ?? field.value
    }
    return value
  }

  /// The path below the prefix (`/api/products/` -> `/products/`), or nil outside it.
  private func relativePath(_ path: String) -> String? {
    if prefix.isEmpty { return path }
    guard path.hasPrefix(prefix) else { return nil }
    let rest = path.dropFirst(prefix.count)
    if rest.isEmpty { return "/" }
    return rest.first == "/" ? String(rest) : nil
  }

  private func authenticate(_ header: TokenHeader.Parsed) async throws -> (User?, String?) {
    switch header {
    case .absent:
      return (nil, nil)
    case .invalid(let detail):
      throw APIError.unauthorized(detail)
    case .token(let token):
      guard let user = app.shop.auth.authenticate(token: token) else {
        throw APIError.unauthorized("Invalid token.")
      }
      return (user, token)
    }
  }

  private func authorize(_ permission: Permission, _ user: User?) throws {
    switch permission {
    case .anyone, .noCredentials:
      return
    case .authenticated, .admin:
      guard let user else {
        throw APIError.unauthorized("Authentication credentials were not provided.")
      }
      if permission == .admin, !user.isStaff { throw ShopError.forbidden }
    }
  }

  /// DRF's `OPTIONS` metadata for a view.
  private func options(_ route: APIRoute, path: String) -> HTTPResponse {
    let allowed: String
    if case .methodNotAllowed(let header, _) = router.match(.TRACE, path) {
      allowed = header
    } else {
      allowed = "OPTIONS"
    }
    let body = JSONValue.object([
      "name": .string(route.name),
      "description": .string(""),
      "renders": .array([.string("application/json")]),
      "parses": .array([
        .string("application/json"), .string("application/x-www-form-urlencoded"),
      ]),
    ])
    return JSONResponse.make(200, body, headers: ["Allow": allowed])
  }
}
