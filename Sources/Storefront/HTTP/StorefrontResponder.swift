import EventHTTP
import JSON
import StorefrontCore

/// Serves the API under a path prefix: routing, limits, authentication and permissions in
/// DRF's order, then the route's handler.
///
/// Anonymous reads with a pre-encoded body (catalog lists, health) are answered on the loop
/// thread at once; everything else runs as a task whose reply the loop sends.
struct StorefrontResponder: HTTPResponder {
  let mount: APIMount
  var app: StorefrontApp { mount.app }
  /// The mount point without trailing slash, e.g. `/api`.
  var prefix: String { mount.prefix }
  let maxBodyBytes: Int
  let router = APIRoutes.table.router
  /// `throttle.*` (off by default).
  let throttle: RequestThrottle
  /// Whether replies carry their route's index (``HTTPResponse/route``, for metrics); off, the
  /// replies of tasks are not wrapped.
  let tagsRoutes: Bool

  init(app: StorefrontApp, prefix: String, maxBodyBytes: Int, tagsRoutes: Bool = false) {
    self.tagsRoutes = tagsRoutes
    var prefix = prefix
    while prefix.hasSuffix("/") { prefix.removeLast() }
    self.mount = APIMount(app: app, prefix: prefix)
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
    return APIRoutes.table.router.patterns.map { prefix + $0 }
  }

  /// The reply, and in `index` the matched route's index in the table (-1 when none).
  private func answer(_ request: HTTPRequest, route index: inout Int) -> HTTPReply {
    guard let path = relativePath(request.path) else { return .now(APIError.notFound.response) }
    if request.body.count > maxBodyBytes { return .now(APIError.bodyTooLarge.response) }
    let route: APIRoute
    var parameters: [Substring] = []
    var notAllowed: String?
    var allowHeader = "OPTIONS"
    let (match, matchedIndex) = router.matchRoute(request.method, path)
    index = matchedIndex
    switch match {
    case .notFound:
      return .now(APIError.notFound.response)
    case .found(let found, let captured):
      route = found
      parameters = captured
    case .methodNotAllowed(let allowed, let captured, let handlers):
      if request.method == .OPTIONS { allowHeader = allowed } else { notAllowed = allowed }
      route = Self.stand(in: request.method, handlers)
      parameters = captured
    }
    guard route.acceptsParameters(parameters) else {
      index = -1
      return .now(APIError.notFound.response)
    }
    let header =
      route.permission == .noCredentials
      ? .absent : TokenHeader.parse(Self.authorization(request.headers))
    if header == .absent, notAllowed == nil, request.method != .OPTIONS, request.query.isEmpty,
      let immediate = route.immediate
    {
      return .now(immediate(mount))
    }
    if case .token = header, notAllowed == nil, request.method != .OPTIONS,
      let immediateCall = route.immediateCall,
      let response = immediateAnswer(request, parameters, route, header, immediateCall)
    {
      return .now(response)
    }
    let answer: @Sendable (ClientWatch?) async -> HTTPResponse = {
      [mount, parameters, notAllowed, allowHeader] client in
      do {
        let (user, token) = try await authenticateCatchingUp(header)
        try authorize(route.permission, user)
        if let refusal = throttle.refusal(route.permission, request, user) { return refusal }
        if let notAllowed { throw APIError.methodNotAllowed(request.method, allowed: notAllowed) }
        if request.method == .OPTIONS { return options(route, allowed: allowHeader) }
        return try await route.handle(
          RouteCall(
            request: request, parameters: parameters, mount: mount, user: user, token: token,
            client: client))
      } catch {
        return Self.response(for: error)
      }
    }
    if route.watchesClient { return .watched { await answer($0) } }
    return .later { await answer(nil) }
  }

  /// The handler whose permission stands for a method the path does not have, with the path's
  /// captures: as a DRF view checks its permission before refusing the method, `OPTIONS` (a
  /// safe method) is judged like the path's `GET`, any other like the path's most restrictive
  /// method (a `PUT` on an admin-writable product is 401/403 before it is 405).
  /// The handler whose checks a request for a method the path lacks goes through (as DRF
  /// authenticates and checks permissions before its 405): for OPTIONS the path's GET, else
  /// the strictest of the path's handlers.
  private static func stand(
    in method: HTTPMethod, _ handlers: [HTTPMethod: APIRoute]
  ) -> APIRoute {
    if method == .OPTIONS, let get = handlers[.GET] { return get }
    return handlers.values.max {
      (rank($0.permission), $0.name) < (rank($1.permission), $1.name)
    }!
  }

  private static func rank(_ permission: Permission) -> Int {
    switch permission {
    case .noCredentials: 0
    case .anyone: 1
    case .authenticated: 2
    case .admin: 3
    }
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

  /// The reply of `route.immediateCall` on the loop thread, after the same checks as the task
  /// path in the same order (a refused call is answered here too); nil when the route cannot
  /// answer at once, for the task path.
  private func immediateAnswer(
    _ request: HTTPRequest, _ parameters: [Substring], _ route: APIRoute,
    _ header: TokenHeader.Parsed, _ immediateCall: @Sendable (RouteCall) -> HTTPResponse?
  ) -> HTTPResponse? {
    do {
      // A token another node issued a moment ago: the task path catches up first.
      guard let (user, token) = try authenticate(header, refusingUnknown: !app.sharesLog)
      else { return nil }
      try authorize(route.permission, user)
      let call = RouteCall(
        request: request, parameters: parameters, mount: mount, user: user, token: token,
        client: nil)
      // The route's answer has no side effects; the throttle, which counts, runs only once
      // the call is answered here.
      guard let response = immediateCall(call) else { return nil }
      return throttle.refusal(route.permission, request, user) ?? response
    } catch {
      return Self.response(for: error)
    }
  }

  /// The DRF-style reply for an error a route threw.
  private static func response(for error: any Error) -> HTTPResponse {
    switch error {
    case let error as APIError: error.response
    case let error as ShopError: APIError.from(error).response
    default: JSONResponse.detail(500, "A server error occurred.")
    }
  }

  /// The caller and token of `header`; an unknown token is the 401 when `refusingUnknown`, and
  /// nil otherwise (for a caller that catches up on other nodes and looks again).
  private func authenticate(_ header: TokenHeader.Parsed, refusingUnknown: Bool) throws -> (
    User?, String?
  )? {
    switch header {
    case .absent:
      return (nil, nil)
    case .invalid(let detail):
      throw APIError.unauthorized(detail)
    case .token(let token):
      guard let user = app.shop.auth.authenticate(token: token) else {
        guard refusingUnknown else { return nil }
        throw APIError.unauthorized("Invalid token.")
      }
      return (user, token)
    }
  }

  /// ``authenticate(_:refusingUnknown:)``; with a shared log, an unknown token is looked up
  /// again after catching up on other nodes' events (one may have issued it a moment ago).
  private func authenticateCatchingUp(_ header: TokenHeader.Parsed) async throws -> (
    User?, String?
  ) {
    if let found = try authenticate(header, refusingUnknown: !app.sharesLog) { return found }
    guard case .token(let token) = header,
      let user = await app.shop.auth.authenticateCatchingUp(token: token)
    else { throw APIError.unauthorized("Invalid token.") }
    return (user, token)
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
  private func options(_ route: APIRoute, allowed: String) -> HTTPResponse {
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
