import EventHTTP
import JSON

/// The OpenAPI 3.1 document of the API, built from the route table (every method on every
/// pattern, its permission) and ``RouteDescriptions`` (parameters, bodies, responses), with
/// the errors each kind of route shares added here, so that they cannot drift apart:
///
/// - a route that reads credentials: 401 (a protected route without them, or any bad token);
/// - an admin route: 403; a path with an id: 404; a route with a body: 400 and 415;
/// - every route: 413 and 429, and the framing layer's refusals of malformed HTTP
///   (400, 408, 414, 417, 431, 501, 503, 505), all `{"detail": ...}`.
///
/// ```swift
/// let body = OpenAPIDocument.make(APIRoutes.table, prefix: "/api").encoded()
/// ```
enum OpenAPIDocument {
  typealias S = JSONSchema
  typealias R = ResponseDescription

  static let version = "3.1.0"

  /// The document for the routes of `table` mounted at `prefix` (e.g. `/api`).
  static func make(_ table: RouteTable, prefix: String) -> JSONValue {
    var paths = JSONObject()
    for entry in table.entries {
      let path = template(entry.pattern)
      var item = JSONObject()
      if case .object(let methods)? = paths[path] { item = methods }
      item[entry.method.rawValue.lowercased()] = operation(entry)
      paths[path] = .object(item)
    }
    return .object([
      "openapi": .string(version),
      "info": .object([
        "title": .string("Storefront API"),
        "version": .string("1.0.0"),
        "description": .string(
          "Users, tokens, categories, products with variants, orders; in the conventions of Django REST framework (JSON bodies, DRF's error bodies and status codes)."
        ),
      ]),
      "servers": .array([.object(["url": .string(prefix.isEmpty ? "/" : prefix)])]),
      "paths": .object(paths),
      "components": .object([
        "schemas": .object(
          JSONObject(OpenAPISchemas.all.map { JSONObject.Member($0.key, $0.value) })),
        "securitySchemes": .object([
          "tokenAuth": .object([
            "type": .string("apiKey"), "in": .string("header"), "name": .string("Authorization"),
            "description": .string("`Token <key>`, the key as `POST /users/login/` issued it."),
          ])
        ]),
      ]),
    ])
  }

  /// `/products/<int:id>/` -> `/products/{id}/`.
  static func template(_ pattern: String) -> String {
    segments(pattern).map { $0.parameter.map { "{\($0.name)}" } ?? $0.text }.joined(separator: "/")
  }

  /// The path parameters of `pattern`, in order: name and whether it is `<int:...>`.
  static func pathParameters(_ pattern: String) -> [(name: String, isInteger: Bool)] {
    segments(pattern).compactMap(\.parameter)
  }

  private static func segments(
    _ pattern: String
  ) -> [(text: String, parameter: (name: String, isInteger: Bool)?)] {
    pattern.split(separator: "/", omittingEmptySubsequences: false).map { part in
      guard part.hasPrefix("<"), part.hasSuffix(">") else { return (String(part), nil) }
      let inner = part.dropFirst().dropLast()
      if inner.hasPrefix("int:") { return (String(part), (String(inner.dropFirst(4)), true)) }
      return (String(part), (String(inner), false))
    }
  }

  /// The operation object of one route.
  static func operation(_ entry: RouteTable.Entry) -> JSONValue {
    guard let description = RouteDescriptions.description(entry.method, entry.pattern) else {
      return .object([
        "summary": .string(entry.route.name), "x-undescribed": .bool(true),
        "responses": .object(["default": .object(["description": .string("Undescribed.")])]),
      ])
    }
    var parameters: [JSONValue] = pathParameters(entry.pattern).map { parameter in
      .object([
        "name": .string(parameter.name), "in": .string("path"), "required": .bool(true),
        "schema": parameter.isInteger ? S.integer(minimum: 1) : S.string(minLength: 1),
        "example": parameter.isInteger ? .int(1) : .string("1"),
      ])
    }
    for (location, list) in [("query", description.query), ("header", description.headers)] {
      for parameter in list {
        parameters.append(
          .object([
            "name": .string(parameter.name), "in": .string(location),
            "required": .bool(false), "description": .string(parameter.description),
            "schema": parameter.schema,
          ]))
      }
    }
    var members: [(String, JSONValue?)] = [
      ("operationId", .string(description.operationId)),
      ("summary", .string(description.summary)),
      ("description", description.description.map(JSONValue.string)),
      ("tags", .array([.string(tag(entry.pattern))])),
      ("security", security(entry.route.permission)),
      ("parameters", parameters.isEmpty ? nil : .array(parameters)),
    ]
    if let body = description.body {
      var content = JSONObject()
      let media = JSONValue.object(["schema": body.schema, "example": body.example])
      content["application/json"] = media
      if body.acceptsForm { content["application/x-www-form-urlencoded"] = media }
      members.append(
        (
          "requestBody",
          .object(["required": .bool(requiresBody(body.schema)), "content": .object(content)])
        ))
    }
    let all = description.responses + shared(entry, hasBody: description.body != nil)
    members.append(("responses", responses(all)))
    return S.members(members)
  }

  /// Whether a body must be sent: when its schema requires a member (an empty body reads as
  /// `{}`, a no-op for a change, the defaults for a variant).
  static func requiresBody(_ schema: JSONValue) -> Bool {
    guard let name = schema["$ref"]?.stringValue?.split(separator: "/").last,
      let component = OpenAPISchemas.all.first(where: { $0.key == name })?.value
    else { return true }
    if case .array(let required)? = component["required"] { return !required.isEmpty }
    return false
  }

  /// The first literal segment: `users`, `products`, `orders`, `health`...
  static func tag(_ pattern: String) -> String {
    pattern.split(separator: "/").first.map(String.init) ?? "api"
  }

  /// Who may call: nobody's credentials are read, optional, or required.
  static func security(_ permission: Permission) -> JSONValue {
    switch permission {
    case .noCredentials: .array([])
    case .anyone: .array([.object([:]), .object(["tokenAuth": .array([])])])
    case .authenticated, .admin: .array([.object(["tokenAuth": .array([])])])
    }
  }

  static let detail = S.ref("Detail")

  /// The errors `entry` shares with every route of its kind.
  static func shared(_ entry: RouteTable.Entry, hasBody: Bool) -> [ResponseDescription] {
    var list: [ResponseDescription] = []
    switch entry.route.permission {
    case .noCredentials:
      break
    case .anyone:
      list.append(
        R(
          401, "A bad `Authorization` header (none is needed).", detail, headers: [.wwwAuthenticate]
        ))
    case .authenticated:
      list.append(R(401, "No credentials, or a bad token.", detail, headers: [.wwwAuthenticate]))
    case .admin:
      list.append(R(401, "No credentials, or a bad token.", detail, headers: [.wwwAuthenticate]))
      list.append(R(403, "The caller is not an admin.", detail))
    }
    if !pathParameters(entry.pattern).isEmpty {
      list.append(R(404, "No object with this id (or not one the caller may see).", detail))
    }
    if hasBody {
      list.append(
        R(
          400, "Field errors, or a body that is not valid JSON.",
          S.anyOf([S.ref("FieldErrors"), detail])))
      list.append(R(415, "A body that is neither JSON nor form-encoded.", detail))
    }
    list.append(R(413, "The body is larger than `limits.max_body_bytes`.", detail))
    list.append(
      R(429, "Throttled (when `throttle.*` is configured).", detail, headers: [.retryAfter]))
    return list + framing
  }

  /// What the framing layer answers for any request it refuses, before any route sees it.
  static let framing: [ResponseDescription] = [
    R(
      400, "Malformed HTTP (request line, header field, chunked body, `Host`, `Content-Length`).",
      detail),
    R(408, "The request was not complete within `limits.request_timeout_seconds`.", detail),
    R(414, "The request line is longer than `limits.max_header_bytes`.", detail),
    R(417, "An `Expect` other than `100-continue`.", detail),
    R(431, "The header fields are larger than `limits.max_header_bytes`.", detail),
    R(501, "A `Transfer-Encoding` other than `chunked`.", detail),
    R(503, "Too many request bodies in progress.", detail, headers: [.retryAfter]),
    R(505, "An HTTP version other than 1.0 and 1.1.", detail),
  ]

  /// The responses object: one entry per status, in order; the descriptions of one status
  /// joined, its schemas any of, its headers all (none required).
  static func responses(_ list: [ResponseDescription]) -> JSONValue {
    var byStatus: [Int: [ResponseDescription]] = [:]
    for response in list { byStatus[response.status, default: []].append(response) }
    var object = JSONObject()
    for status in byStatus.keys.sorted() {
      let group = byStatus[status]!
      var descriptions: [String] = []
      var schemas: [JSONValue] = []
      var headers = JSONObject()
      for response in group {
        if !descriptions.contains(response.description) {
          descriptions.append(response.description)
        }
        for schema in flattened(response.schema) where !schemas.contains(schema) {
          schemas.append(schema)
        }
        for header in response.headers where headers[header.name] == nil {
          headers[header.name] = .object([
            "description": .string(header.description), "schema": header.schema,
          ])
        }
      }
      var members: [(String, JSONValue?)] = [
        ("description", .string(descriptions.joined(separator: " Or: ")))
      ]
      if !headers.members.isEmpty { members.append(("headers", .object(headers))) }
      if !schemas.isEmpty {
        members.append(
          ("content", .object(["application/json": .object(["schema": S.anyOf(schemas)])])))
      }
      object[String(status)] = S.members(members)
    }
    return .object(object)
  }

  /// The alternatives of `schema` (its `anyOf` members, or itself).
  private static func flattened(_ schema: JSONValue?) -> [JSONValue] {
    guard let schema else { return [] }
    if case .object(let object) = schema, object.members.count == 1,
      case .array(let alternatives)? = object["anyOf"]
    {
      return alternatives
    }
    return [schema]
  }
}
