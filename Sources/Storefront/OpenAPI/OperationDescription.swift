import JSON

/// What the OpenAPI document says about one method on one route, beyond what the route
/// table already knows (path parameters, permission): its query parameters and headers, its
/// body, and its own responses. The errors every route of a kind shares (401/403 from the
/// permission, 404 from a path id, 400/415 from a body, 429, the framing layer's refusals)
/// are added by ``OpenAPIDocument``.
struct OperationDescription: Sendable {
  /// Unique over the document, e.g. `listProducts`.
  var operationId: String
  var summary: String
  var description: String?
  var query: [ParameterDescription] = []
  var headers: [ParameterDescription] = []
  var body: RequestBodyDescription?
  /// The success responses and the route's own errors (409, 422, 503...).
  var responses: [ResponseDescription]
}

/// A query parameter or request header.
struct ParameterDescription: Sendable {
  var name: String
  var description: String
  var schema: JSONValue
}

/// A request body: JSON, and also form-encoded for the flat ones (API.md: register, login,
/// category create, status update).
struct RequestBodyDescription: Sendable {
  var schema: JSONValue
  /// A valid body (on the seed data of API.md's walk-through: category 1, product 1 with
  /// variant 1), for readers and for tools that send the examples first.
  var example: JSONValue
  var acceptsForm: Bool = false
}

/// One response of an operation: a status, what it means, its body's schema (nil for none,
/// as DELETE's 204) and its headers.
struct ResponseDescription: Sendable {
  var status: Int
  var description: String
  var schema: JSONValue?
  var headers: [HeaderDescription] = []

  init(
    _ status: Int, _ description: String, _ schema: JSONValue?,
    headers: [HeaderDescription] = []
  ) {
    self.status = status
    self.description = description
    self.schema = schema
    self.headers = headers
  }
}

/// A response header.
struct HeaderDescription: Sendable {
  var name: String
  var description: String
  var schema: JSONValue = JSONSchema.string()
  var required: Bool = false

  static let retryAfter = HeaderDescription(
    name: "Retry-After", description: "Seconds to wait before trying again.",
    schema: JSONSchema.integer(minimum: 0))
  static let wwwAuthenticate = HeaderDescription(
    name: "WWW-Authenticate", description: "`Token`: the scheme to authenticate with.",
    schema: JSONSchema.constant("Token"))
}
