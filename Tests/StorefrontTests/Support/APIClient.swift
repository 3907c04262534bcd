import Foundation
import HTTPTestSupport
import JSON
import Primitives
import Testing

/// A response as the API tests see it.
struct APIResponse: Sendable, CustomStringConvertible {
  var status: Int
  /// Header names lower-cased.
  var headers: [String: String]
  var body: [UInt8]

  init(_ response: TestResponse) {
    status = response.status
    headers = response.headers
    body = response.body
  }

  var text: String { String(decoding: body, as: UTF8.self) }

  /// The body parsed as JSON (`.null` with a recorded issue when it is not JSON).
  var json: JSONValue {
    do {
      return try JSONParser.parse(body)
    } catch {
      Issue.record("response body is not JSON (\(error)): \(text)")
      return .null
    }
  }

  var description: String { "\(status) \(text)" }
}

/// A caller of the API: its id, name, password and one live token.
struct APIUser: Sendable {
  var id: Int
  var username: String
  var password: String
  var token: String
}

/// What a request carries as its body.
enum APIBody: Sendable {
  /// `Content-Type: application/json` with this text.
  case json(String)
  /// `Content-Type: application/x-www-form-urlencoded` with this text.
  case form(String)
  /// Raw bytes with the given `Content-Type` (none when nil).
  case raw([UInt8], contentType: String?)
}

/// A blocking loopback HTTP client for the API under `/api`, used from async tests: every
/// request runs on its own client thread (``ClientThreads``), never on the concurrency pool.
struct APIClient: Sendable {
  let port: Int
  static let prefix = "/api"

  /// Sends one request on a new connection. `path` is below `/api` unless it starts with
  /// `//` (then it is sent as is, without one of the slashes).
  func request(
    _ method: String, _ path: String, token: String? = nil, authorization: String? = nil,
    body: APIBody? = nil, headers: [(String, String)] = []
  ) async throws -> APIResponse {
    let (target, allHeaders, bytes) = Self.prepare(
      path, token: token, authorization: authorization, body: body, headers: headers)
    let port = port
    return try await ClientThreads.one {
      let connection = try TestConnection(port: port)
      defer { connection.close() }
      return APIResponse(
        try connection.request(method, target, headers: allHeaders, body: bytes))
    }
  }

  /// Builds the request target, headers and body bytes of a request.
  static func prepare(
    _ path: String, token: String?, authorization: String?, body: APIBody?,
    headers: [(String, String)]
  ) -> (String, [(String, String)], [UInt8]?) {
    let target = path.hasPrefix("//") ? String(path.dropFirst()) : prefix + path
    var allHeaders = headers
    if let token { allHeaders.append(("Authorization", "Token \(token)")) }
    if let authorization { allHeaders.append(("Authorization", authorization)) }
    var bytes: [UInt8]?
    switch body {
    case .json(let text)?:
      allHeaders.append(("Content-Type", "application/json"))
      bytes = Array(text.utf8)
    case .form(let text)?:
      allHeaders.append(("Content-Type", "application/x-www-form-urlencoded"))
      bytes = Array(text.utf8)
    case .raw(let raw, let contentType)?:
      if let contentType { allHeaders.append(("Content-Type", contentType)) }
      bytes = raw
    case nil:
      bytes = nil
    }
    return (target, allHeaders, bytes)
  }

  /// One request of a concurrent batch.
  struct Call: Sendable {
    var method: String
    var path: String
    var token: String?
    var body: APIBody?
    var headers: [(String, String)] = []
  }

  /// Sends `count` requests at once, each on its own thread and connection; the responses
  /// come back in index order.
  func concurrently(
    _ count: Int, _ call: @escaping @Sendable (Int) -> Call
  ) async throws -> [APIResponse] {
    let collected = Collected()
    let port = port
    try await ClientThreads.run(count) { index in
      let request = call(index)
      let (target, headers, bytes) = Self.prepare(
        request.path, token: request.token, authorization: nil, body: request.body,
        headers: request.headers)
      let connection = try TestConnection(port: port)
      defer { connection.close() }
      let response = try connection.request(
        request.method, target, headers: headers, body: bytes)
      collected.set(index, APIResponse(response))
    }
    let responses = collected.all
    return (0..<count).compactMap { responses[$0] }
  }

  /// Responses from client threads, by index.
  private final class Collected: Sendable {
    private let responses = Locked<[Int: APIResponse]>([:])
    func set(_ index: Int, _ response: APIResponse) { responses.withLock { $0[index] = response } }
    var all: [Int: APIResponse] { responses.withLock { $0 } }
  }

  func get(_ path: String, token: String? = nil) async throws -> APIResponse {
    try await request("GET", path, token: token)
  }

  func post(_ path: String, _ json: String? = nil, token: String? = nil) async throws
    -> APIResponse
  {
    try await request("POST", path, token: token, body: json.map { .json($0) })
  }

  func patch(_ path: String, _ json: String, token: String? = nil) async throws -> APIResponse {
    try await request("PATCH", path, token: token, body: .json(json))
  }

  func delete(_ path: String, token: String? = nil) async throws -> APIResponse {
    try await request("DELETE", path, token: token)
  }

  // MARK: Accounts

  /// Registers `username` (expects 201) and returns its id.
  @discardableResult
  func register(
    _ username: String, password: String = "password-123",
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> Int {
    let response = try await post(
      "/users/register/",
      #"{"username": "\#(username)", "email": "\#(username)@example.com", "password": "\#(password)"}"#
    )
    try #require(response.status == 201, "\(response)", sourceLocation: sourceLocation)
    return try #require(response.json["id"]?.intValue, sourceLocation: sourceLocation)
  }

  /// Logs in (expects 200) and returns the new token.
  func login(
    _ username: String, _ password: String = "password-123",
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> String {
    let response = try await post(
      "/users/login/", #"{"username": "\#(username)", "password": "\#(password)"}"#)
    try #require(response.status == 200, "\(response)", sourceLocation: sourceLocation)
    return try #require(response.json["token"]?.stringValue, sourceLocation: sourceLocation)
  }

  /// Registers and logs in a regular user.
  func user(
    _ username: String, password: String = "password-123",
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> APIUser {
    let id = try await register(username, password: password, sourceLocation: sourceLocation)
    let token = try await login(username, password, sourceLocation: sourceLocation)
    return APIUser(id: id, username: username, password: password, token: token)
  }

  // MARK: Catalog and orders

  /// Creates a category as `admin` (expects 201) and returns its id.
  func category(
    _ name: String, admin: APIUser, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> Int {
    let response = try await post(
      "/products/categories/create/", #"{"name": "\#(name)"}"#, token: admin.token)
    try #require(response.status == 201, "\(response)", sourceLocation: sourceLocation)
    return try #require(response.json["id"]?.intValue, sourceLocation: sourceLocation)
  }

  /// Creates a product from a JSON body as `admin` (expects 201) and returns the product.
  func product(
    _ json: String, admin: APIUser, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> JSONValue {
    let response = try await post("/products/create/", json, token: admin.token)
    try #require(response.status == 201, "\(response)", sourceLocation: sourceLocation)
    return response.json
  }

  /// Places an order (expects 201) and returns it.
  func order(
    _ json: String, user: APIUser, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> JSONValue {
    let response = try await post("/orders/", json, token: user.token)
    try #require(response.status == 201, "\(response)", sourceLocation: sourceLocation)
    return response.json
  }

  /// The stock of variant `variantId` as `GET /products/` shows it.
  func stock(ofVariant variantId: Int, sourceLocation: SourceLocation = #_sourceLocation)
    async throws -> Int?
  {
    let response = try await get("/products/")
    try #require(response.status == 200, "\(response)", sourceLocation: sourceLocation)
    guard case .array(let products) = response.json else { return nil }
    for product in products {
      guard case .array(let variants)? = product["variants"] else { continue }
      for variant in variants where variant["id"]?.intValue == variantId {
        return variant["stock"]?.intValue
      }
    }
    return nil
  }
}
