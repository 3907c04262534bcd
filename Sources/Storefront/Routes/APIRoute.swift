import EventHTTP
import JSON
import StorefrontCore

/// Who may call a route (DRF's permission classes).
enum Permission: Sendable {
  /// No credentials are read at all (DRF's `authentication_classes = []`): an
  /// `Authorization` header, valid or not, is ignored (register, login).
  case noCredentials
  case anyone
  case authenticated
  case admin
}

/// One entry of the route table: its permission and how it answers.
struct APIRoute: Sendable {
  /// The view's name, shown by `OPTIONS`.
  let name: String
  let permission: Permission
  /// Answers anonymous calls without a query string on the loop thread, without a task (hot
  /// catalog reads); a query (filters, a page) goes to `handle`.
  let immediate: (@Sendable (APIMount) -> HTTPResponse)?
  /// Answers an authenticated call (a valid token, permission granted) on the loop thread
  /// without a task when it can at once from data at hand (a customer's cached order list);
  /// nil sends the call to `handle`. Must have no side effects.
  let immediateCall: (@Sendable (RouteCall) -> HTTPResponse?)?
  /// Answers every other call, in a task.
  let handle: @Sendable (RouteCall) async throws -> HTTPResponse
  /// Whether the path's captured segments match the pattern's converters (Django's
  /// `<int:pk>`, the only one the API uses: ``PathID/acceptsAll`` unless given); when not, the
  /// path is an unknown route (404 before authentication).
  let acceptsParameters: @Sendable ([Substring]) -> Bool
  /// Whether the handler is told when the client disconnects (``RouteCall/client``), for
  /// queued work worth dropping then (password hashing).
  let watchesClient: Bool

  init(
    _ name: String, _ permission: Permission,
    immediate: (@Sendable (APIMount) -> HTTPResponse)? = nil,
    immediateCall: (@Sendable (RouteCall) -> HTTPResponse?)? = nil,
    acceptsParameters: @escaping @Sendable ([Substring]) -> Bool = PathID.acceptsAll,
    watchesClient: Bool = false,
    handle: @escaping @Sendable (RouteCall) async throws -> HTTPResponse
  ) {
    self.watchesClient = watchesClient
    self.name = name
    self.permission = permission
    self.immediate = immediate
    self.immediateCall = immediateCall
    self.acceptsParameters = acceptsParameters
    self.handle = handle
  }
}

/// What every route of one mount shares: the app, and what was built once for the mount.
struct APIMount: Sendable {
  let app: StorefrontApp
  /// The mount point without trailing slash, e.g. `/api` (empty at the root).
  let prefix: String
  /// The body of `GET <prefix>/schema/`: the OpenAPI document of this mount, encoded once.
  let schema: [UInt8]

  init(app: StorefrontApp, prefix: String) {
    self.app = app
    self.prefix = prefix
    schema = OpenAPIDocument.make(APIRoutes.table, prefix: prefix).encoded()
  }
}

/// What a route handler gets: the request, its path parameters, the mount, and the caller.
struct RouteCall: Sendable {
  let request: HTTPRequest
  let parameters: [Substring]
  let mount: APIMount
  /// The authenticated caller, if a valid token was sent.
  let user: User?
  /// The token the caller authenticated with.
  let token: String?
  /// Turns gone when the client disconnects (routes with `watchesClient` only).
  let client: ClientWatch?

  var app: StorefrontApp { mount.app }

  /// The request body, parsed as DRF would (400/415 on bad input).
  func body() throws(APIError) -> JSONValue { try RequestBody.parse(request) }

  /// The caller, for routes whose permission guarantees one.
  var caller: User {
    guard let user else { preconditionFailure("route permission must ensure a user") }
    return user
  }
}
