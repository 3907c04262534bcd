import EventHTTP
import Foundation
import HTTPTestSupport
import StorefrontCore
import Testing

@testable import Storefront

/// A data directory for one test, removed when the value is released.
final class APIDataDirectory: Sendable {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("storefront-api-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// An in-process Storefront (``StorefrontApp`` and a 2-loop ``HTTPServer``) on an ephemeral
/// loopback port, serving `/api/` from a data directory.
///
/// ```swift
/// let server = try await APITestServer.start(directory: try APIDataDirectory())
/// let response = try await server.client.get("/products/")
/// try await server.stop()
/// ```
final class APITestServer: Sendable {
  /// PBKDF2 iterations for tests: fast, still the real hasher and format.
  static let testIterations = 1000

  let app: StorefrontApp
  let http: HTTPServer
  let config: StorefrontConfig
  let client: APIClient
  /// Kept alive as long as the server runs on it.
  let directory: APIDataDirectory

  var port: Int { http.port }
  var dataDir: String { config.dataDir }

  private init(
    app: StorefrontApp, http: HTTPServer, config: StorefrontConfig, directory: APIDataDirectory
  ) {
    self.directory = directory
    self.app = app
    self.http = http
    self.config = config
    self.client = APIClient(port: http.port)
  }

  /// The configuration tests run with: port 0, 2 loops, fast hashing, quiet logs; then
  /// `adjust`.
  static func configuration(
    dataDir: String, adjust: (inout StorefrontConfig) -> Void = { _ in }
  ) -> StorefrontConfig {
    var config = StorefrontConfig(
      host: "127.0.0.1", port: 0, workers: 2, dataDir: dataDir,
      log: StorefrontConfig.Log(level: .error, accessLevel: .debug),
      auth: StorefrontConfig.Auth(pbkdf2Iterations: testIterations, hashThreads: 2))
    adjust(&config)
    return config
  }

  /// Opens `directory` (replaying its log) and starts serving on a free port.
  static func start(
    directory: APIDataDirectory, adjust: (inout StorefrontConfig) -> Void = { _ in }
  ) async throws -> APITestServer {
    try await start(
      directory: directory, config: configuration(dataDir: directory.path, adjust: adjust))
  }

  private static func start(
    directory: APIDataDirectory, config: StorefrontConfig
  ) async throws -> APITestServer {
    let app = try StorefrontApp.open(
      config: config, logger: LoggingSetup.logger("storefront.tests", config: config))
    do {
      let http = try HTTPServer(
        options: StorefrontServer.httpOptions(config),
        responder: StorefrontResponder(
          app: app, prefix: StorefrontServer.prefix, maxBodyBytes: config.limits.maxBodyBytes))
      try http.start()
      return APITestServer(app: app, http: http, config: config, directory: directory)
    } catch {
      try? await app.close()
      throw error
    }
  }

  /// Drains and stops the HTTP server, then closes the log (a clean shutdown).
  func stop() async throws {
    await http.shutdown(timeout: .seconds(10))
    try await app.close()
  }

  /// Stops cleanly and starts a new server on the same data directory.
  func restart() async throws -> APITestServer {
    try await stop()
    return try await APITestServer.start(directory: directory, config: config)
  }

  /// Creates a staff user in-process (as `createsuperuser` does) and logs it in over HTTP.
  func admin(
    _ username: String = "admin", password: String = "admin-password"
  ) async throws -> APIUser {
    let user = try await app.shop.auth.createSuperuser(
      username: username, email: "\(username)@example.com", password: password)
    let token = try await client.login(username, password)
    return APIUser(id: user.id, username: username, password: password, token: token)
  }
}

/// Runs `body` with a fresh server on a fresh data directory and stops it afterwards.
func withAPIServer<T: Sendable>(
  adjust: (inout StorefrontConfig) -> Void = { _ in },
  _ body: (APITestServer) async throws -> T
) async throws -> T {
  let server = try await APITestServer.start(directory: try APIDataDirectory(), adjust: adjust)
  do {
    let result = try await body(server)
    try await server.stop()
    return result
  } catch {
    try? await server.stop()
    throw error
  }
}
