import Foundation
import Testing

/// `storefront createsuperuser` as a real child process.
@Suite("API: createsuperuser as a process")
struct APICommandLineTests {
  static func createSuperuser(
    _ username: String, dataDir: String, password: String? = "boss-password",
    email: String = "boss@example.com", environment: [String: String] = [:]
  ) async throws -> StorefrontResult {
    var arguments = [
      "createsuperuser", "--username", username, "--email", email, "--data-dir", dataDir,
    ]
    if let password { arguments += ["--password", password] }
    return try await runStorefront(arguments, environment: environment)
  }

  @Test("success: exit 0, then that admin logs in over HTTP and creates a category")
  func success() async throws {
    let directory = try APIDataDirectory()
    let result = try await Self.createSuperuser("boss", dataDir: directory.path)
    #expect(result.status == 0, "\(result.standardError)")
    #expect(
      result.standardOutput.contains(#"Superuser "boss" created"#), "\(result.standardOutput)")
    // The password may also come from the environment.
    let second = try await Self.createSuperuser(
      "deputy", dataDir: directory.path, password: nil,
      environment: ["STOREFRONT_SUPERUSER_PASSWORD": "deputy-password"])
    #expect(second.status == 0, "\(second.standardError)")

    let server = try await APITestServer.start(directory: directory)
    do {
      let login = try await server.client.post(
        "/users/login/", #"{"username": "boss", "password": "boss-password"}"#)
      #expect(login.status == 200, "\(login)")
      #expect(login.json["user_id"] == .int(1))
      let token = try #require(login.json["token"]?.stringValue)
      expectJSON(
        try await server.client.post(
          "/products/categories/create/", #"{"name": "Skincare"}"#, token: token), 201,
        #"{"id": 1, "name": "Skincare"}"#)
      let deputy = try await server.client.login("deputy", "deputy-password")
      #expect(
        try await server.client.post(
          "/products/categories/create/", #"{"name": "Haircare"}"#, token: deputy
        ).status == 201)
      // Admins see everyone's orders; they were not registered through the public API.
      #expect(try await server.client.get("/orders/", token: token).status == 200)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("a duplicate username or an invalid field: exit 1 with a clear message")
  func duplicate() async throws {
    let directory = try APIDataDirectory()
    #expect(try await Self.createSuperuser("boss", dataDir: directory.path).status == 0)
    let again = try await Self.createSuperuser("boss", dataDir: directory.path)
    #expect(again.status == 1)
    #expect(
      again.standardError.contains("A user with that username already exists."),
      "\(again.standardError)")
    let badEmail = try await Self.createSuperuser(
      "other", dataDir: directory.path, email: "not-an-email")
    #expect(badEmail.status == 1)
    #expect(
      badEmail.standardError.contains("Enter a valid email address."), "\(badEmail.standardError)")
    // Nothing but the first admin exists.
    let server = try await APITestServer.start(directory: directory)
    #expect(try await server.client.register("other") == 2)
    try await server.stop()
  }

  @Test("refused, exit 1, while a server holds the data directory")
  func refusedWhileServing() async throws {
    let directory = try APIDataDirectory()
    let server = try await APITestServer.start(directory: directory)
    let refused: StorefrontResult
    do {
      refused = try await Self.createSuperuser("boss", dataDir: directory.path)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
    #expect(refused.status == 1)
    #expect(refused.standardError.contains("in use"), "\(refused.standardError)")
    #expect(refused.standardError.contains(directory.path), "\(refused.standardError)")
    // Once the server is gone it works, and the refused run left nothing behind.
    #expect(try await Self.createSuperuser("boss", dataDir: directory.path).status == 0)
    let restarted = try await APITestServer.start(directory: directory)
    _ = try await restarted.client.login("boss", "boss-password")
    #expect(try await restarted.client.register("someone") == 2)
    try await restarted.stop()
  }
}
