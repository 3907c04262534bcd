import EventHTTP
import JSON
import StorefrontCore
import Testing

@testable import Storefront

/// The OpenAPI document against the route table it is built from: every route described,
/// every description a route, every path and query parameter one the server reads, every
/// reference resolved; and `GET /api/schema/` serving it.
@Suite("OpenAPI document: complete, consistent with the route table, served")
struct OpenAPIDocumentTests {
  static let table = APIRoutes.table
  static let document = OpenAPIDocument.make(table, prefix: "/api")

  /// The operation object of `method` on `pattern` in `document`.
  static func operation(_ method: HTTPMethod, _ pattern: String) -> JSONValue? {
    document["paths"]?[OpenAPIDocument.template(pattern)]?[method.rawValue.lowercased()]
  }

  static func names(_ operation: JSONValue?, in location: String) -> [String] {
    guard case .array(let parameters)? = operation?["parameters"] else { return [] }
    return parameters.compactMap {
      $0["in"]?.stringValue == location ? $0["name"]?.stringValue : nil
    }
  }

  @Test("every route of the table has a description, and every description a route")
  func everyRouteDescribed() {
    let registered = Set(Self.table.entries.map { RouteDescriptions.key($0.method, $0.pattern) })
    let described = RouteDescriptions.all.map { RouteDescriptions.key($0.method, $0.pattern) }
    #expect(Set(described).count == described.count, "a route is described twice")
    for entry in Self.table.entries {
      #expect(
        RouteDescriptions.description(entry.method, entry.pattern) != nil,
        "\(entry.method.rawValue) \(entry.pattern) (\(entry.route.name)) has no description")
    }
    for key in described { #expect(registered.contains(key), "\(key) is described but no route") }
    let undescribed = Self.document.encodedText.contains("x-undescribed")
    #expect(!undescribed, "the document has an undescribed operation")
    let ids = RouteDescriptions.all.map(\.operation.operationId)
    #expect(Set(ids).count == ids.count, "operationIds repeat: \(ids)")
    #expect(registered.count >= 23, "API.md has 23 routes; the table has \(registered.count)")
  }

  @Test("every described path, with ids filled in, reaches its route's handler in the router")
  func pathsReachTheRouter() throws {
    var operations = 0
    for (path, item) in try #require(Self.document["paths"]?.objectMembers) {
      for (method, operation) in try #require(item.objectMembers) {
        operations += 1
        let concrete = path.replacingOccurrences(
          of: #"\{[a-z_]+\}"#, with: "7", options: .regularExpression)
        let httpMethod = try #require(HTTPMethod(rawValue: method.uppercased()))
        guard case .found(let route, let parameters) = Self.table.router.match(httpMethod, concrete)
        else {
          Issue.record("\(method) \(path) does not match a route")
          continue
        }
        let pathNames = Self.names(operation, in: "path")
        #expect(parameters.count == pathNames.count, "\(method) \(path): \(pathNames)")
        #expect(route.acceptsParameters(parameters))
        #expect(
          route.name
            == Self.table.entries.first {
              $0.method == httpMethod && OpenAPIDocument.template($0.pattern) == path
            }?.route.name)
      }
    }
    #expect(operations == Self.table.entries.count)
  }

  /// The query parameters each list's parser reads, by recording the names it asks for.
  static func namesRead(by parse: ((String) -> String?) -> Void) -> Set<String> {
    var read: Set<String> = []
    parse { name in
      read.insert(name)
      return nil
    }
    return read
  }

  @Test("the described query parameters are exactly those the lists' parsers read, plus the page")
  func queryParametersAreRead() throws {
    let page: Set<String> = ["limit", "offset"]
    let expected: [String: Set<String>] = [
      "GET /products/": Self.namesRead { reader in
        _ = try? ProductQuery(parameter: reader, categoryExists: { _ in true })
      }.union(page),
      "GET /products/categories/": Self.namesRead { _ = CategoryQuery(parameter: $0) }.union(page),
      "GET /orders/": Self.namesRead { _ = try? OrderQuery(parameter: $0) }.union(page),
    ]
    #expect(expected["GET /products/"]?.count == 8)
    for entry in Self.table.entries {
      let key = RouteDescriptions.key(entry.method, entry.pattern)
      let described = Self.names(Self.operation(entry.method, entry.pattern), in: "query")
      #expect(Set(described).count == described.count)
      #expect(Set(described) == expected[key] ?? [], "\(key): described \(described)")
    }
    // The page's two names are the ones LimitOffsetPagination reads.
    let window = try #require(
      LimitOffsetPagination(try QueryParameters("limit=2&offset=3"), maxLimit: 100)?.window)
    #expect(window == ListWindow(offset: 3, limit: 2))
  }

  @Test("the Idempotency-Key header is described where it is read, under the name it is read by")
  func headersAreRead() throws {
    for entry in Self.table.entries {
      let headers = Self.names(Self.operation(entry.method, entry.pattern), in: "header")
      let isOrderCreation = entry.method == .POST && entry.pattern == "/orders/"
      #expect(headers == (isOrderCreation ? ["Idempotency-Key"] : []), "\(entry.pattern)")
    }
    #expect(try IdempotencyKeyHeader.parse(["Idempotency-Key": "cart-1"]) == "cart-1")
    #expect(throws: APIError.self) { try IdempotencyKeyHeader.parse(["Idempotency-Key": ""]) }
  }

  @Test(
    "errors follow the route: 401 unless no credentials are read, 403 for admins, 404 with an id, 415 with a body"
  )
  func sharedErrorsFollowTheRoute() throws {
    for entry in Self.table.entries {
      let operation = try #require(Self.operation(entry.method, entry.pattern))
      let statuses = Set(try #require(operation["responses"]?.objectMembers).map(\.0))
      let label = "\(entry.method.rawValue) \(entry.pattern): \(statuses.sorted())"
      #expect(statuses.contains("401") == (entry.route.permission != .noCredentials), "\(label)")
      #expect(statuses.contains("403") == (entry.route.permission == .admin), "\(label)")
      #expect(statuses.contains("404") == entry.pattern.contains("<"), "\(label)")
      #expect(statuses.contains("415") == (operation["requestBody"] != nil), "\(label)")
      for status in ["400", "408", "413", "414", "417", "429", "431", "501", "503", "505"] {
        #expect(statuses.contains(status), "\(label) lacks \(status)")
      }
      #expect(statuses.contains { $0.hasPrefix("2") }, "\(label) has no success")
      let security = operation["security"]
      switch entry.route.permission {
      case .noCredentials: #expect(security == .array([]))
      case .anyone: #expect(security?.arrayCount == 2)
      case .authenticated, .admin: #expect(security?.arrayCount == 1)
      }
    }
  }

  @Test("every $ref names a schema of the components, and every schema is referred to")
  func referencesResolve() throws {
    let schemas = try #require(Self.document["components"]?["schemas"]?.objectMembers)
    var referred: Set<String> = []
    func walk(_ value: JSONValue) {
      switch value {
      case .object(let object):
        for member in object.members {
          if member.key == "$ref", let ref = member.value.stringValue {
            referred.insert(ref)
          } else {
            walk(member.value)
          }
        }
      case .array(let items): items.forEach(walk)
      default: break
      }
    }
    walk(Self.document)
    let defined = Set(schemas.map { "#/components/schemas/\($0.0)" })
    #expect(referred.subtracting(defined).isEmpty, "unresolved: \(referred.subtracting(defined))")
    #expect(defined.subtracting(referred).isEmpty, "unused: \(defined.subtracting(referred))")
    #expect(Self.document["openapi"]?.stringValue == "3.1.0")
  }

  @Test(
    "GET /api/schema/ serves the document of its mount, anonymously or not, with a query or not")
  func servedOverHTTP() async throws {
    try await withAPIServer { server in
      let expected = OpenAPIDocument.make(APIRoutes.table, prefix: "/api").encoded()
      let plain = try await server.client.get("/schema/")
      #expect(plain.status == 200)
      #expect(plain.headers["content-type"] == "application/json")
      #expect(plain.body == expected)
      #expect(plain.json["servers"]?[0]?["url"]?.stringValue == "/api")
      #expect(plain.json["paths"]?["/orders/{id}/update-status/"]?["patch"] != nil)
      let admin = try await server.admin()
      let withToken = try await server.client.get("/schema/?format=json", token: admin.token)
      #expect(withToken.status == 200)
      #expect(withToken.body == expected)
      let badToken = try await server.client.request(
        "GET", "/schema/", authorization: "Token nope")
      #expect(badToken.status == 401)
      let head = try await server.client.request("HEAD", "/schema")
      #expect(head.status == 200)
      #expect(head.headers["content-length"] == String(expected.count))
      let post = try await server.client.post("/schema/", "{}")
      #expect(post.status == 405)
      #expect(post.headers["allow"] == "GET, HEAD, OPTIONS")
    }
  }

  @Test("a body is described as required exactly where the server refuses an empty one")
  func requiredBodies() async throws {
    try await withAPIServer { server in
      let admin = try await server.admin()
      _ = try await server.client.category("Mugs", admin: admin)
      _ = try await server.client.product(
        #"{"name": "Mug", "price": 5, "category": 1, "variants": [{"size": "S", "stock": 9}]}"#,
        admin: admin)
      _ = try await server.client.order(
        #"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#, user: admin)
      var checked = 0
      for entry in Self.table.entries {
        guard let body = Self.operation(entry.method, entry.pattern)?["requestBody"] else {
          continue
        }
        let path = OpenAPIDocument.template(entry.pattern).replacingOccurrences(
          of: #"\{[a-z_]+\}"#, with: "1", options: .regularExpression)
        let response = try await server.client.request(
          entry.method.rawValue, path, token: admin.token)
        let label = "\(entry.method.rawValue) \(path): \(response)"
        #expect(response.status != 404, "\(label)")
        #expect((response.status == 400) == (body["required"] == .bool(true)), "\(label)")
        checked += 1
      }
      #expect(checked == 10)
    }
  }

  @Test("a mount elsewhere (an embedding host's prefix) names its own prefix as the server")
  func documentOfAnotherMount() async throws {
    try await withAPIServer { server in
      let responder = StorefrontResponder(app: server.app, prefix: "/shop/v1/", maxBodyBytes: 1024)
      let document = try JSONParser.parse(responder.mount.schema)
      #expect(document["servers"]?[0]?["url"]?.stringValue == "/shop/v1")
      #expect(document["paths"] == Self.document["paths"])
    }
  }
}

extension JSONValue {
  /// The members of an object as (key, value) pairs, or nil.
  fileprivate var objectMembers: [(String, JSONValue)]? {
    if case .object(let object) = self { return object.members.map { ($0.key, $0.value) } }
    return nil
  }

  fileprivate subscript(index: Int) -> JSONValue? {
    if case .array(let items) = self, index < items.count { return items[index] }
    return nil
  }

  fileprivate var arrayCount: Int? {
    if case .array(let items) = self { return items.count }
    return nil
  }

  fileprivate var encodedText: String { String(decoding: encoded(), as: UTF8.self) }
}
