import Foundation
import Testing

@testable import Storefront

@Suite("The file is checked as a whole, even values that are overridden")
struct ConfigurationFileCheckTests {
  @Test("A wrong-typed value in the file is reported although the environment overrides it")
  func wrongTypeUnderEnvironment() async throws {
    #expect(
      try await configurationError(
        file: #"{"port": "80"}"#, environment: ["STOREFRONT_PORT": "9000"])
        == #"configuration error: port: expected an integer from 0 to 65535, got "80" (from storefront.json)"#
    )
  }

  @Test("An out-of-range value in the file is reported although a flag overrides it")
  func outOfRangeUnderFlag() async throws {
    #expect(
      try await configurationError(
        file: #"{"limits": {"max_connections": 0}}"#,
        overrides: ["limits.max_connections": "5"])
        == "configuration error: limits.max_connections: expected a positive integer up to "
        + "1000000, got 0 (from storefront.json)")
  }

  @Test("A good file value overridden by a good environment value loads the environment's")
  func goodOverGood() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(#"{"storage": {"batch_ms": 7}}"#, to: "storefront.json")
    let config = try await StorefrontConfig.load(
      configPath: path, defaultPath: nil, environment: ["STOREFRONT_STORAGE_BATCH_MS": "9"],
      overrides: [:])
    #expect(config.storage.batchMilliseconds == 9)
  }
}

@Suite("storage.backend and storage.postgres_url")
struct ConfigurationStorageBackendTests {
  @Test("The file backend is the default, with no URL")
  func defaults() throws {
    let config = StorefrontConfig()
    #expect(config.storage.backend == .file)
    #expect(config.storage.postgresURL == "")
    try config.checkStorage()
  }

  @Test("postgres with a URL loads from the file, and passes the storage check")
  func postgresFromFile() async throws {
    let directory = try TemporaryDirectory()
    let url = "postgres://shop:secret@db.example:5432/shop"
    let path = try directory.write(
      #"{"storage": {"backend": "postgres", "postgres_url": "\#(url)"}}"#, to: "storefront.json")
    let config = try await StorefrontConfig.load(
      configPath: path, defaultPath: nil, environment: [:], overrides: [:])
    #expect(config.storage.backend == .postgres)
    #expect(config.storage.postgresURL == url)
    try config.checkStorage()
  }

  @Test("postgres without a URL fails the storage check, naming the key")
  func postgresNeedsURL() async throws {
    let directory = try TemporaryDirectory()
    let config = try await StorefrontConfig.load(
      configPath: nil, defaultPath: directory.absent(),
      environment: ["STOREFRONT_STORAGE_BACKEND": "postgres"], overrides: [:])
    #expect(throws: ConfigurationError.self) { try config.checkStorage() }
    do {
      try config.checkStorage()
    } catch {
      #expect(
        error.description
          == #"configuration error: storage.postgres_url: must be set when storage.backend is "postgres""#
      )
    }
    await #expect(throws: ConfigurationError.self) {
      _ = try await StorefrontMount.loadConfig(
        configPath: nil, dataDir: nil, environment: ["STOREFRONT_STORAGE_BACKEND": "postgres"])
    }
  }

  @Test("An unknown backend is refused with the choices")
  func unknownBackend() async throws {
    #expect(
      try await configurationError(environment: ["STOREFRONT_STORAGE_BACKEND": "mysql"])
        == #"configuration error: storage.backend: expected one of "file", "postgres", got "mysql" (from environment variable STOREFRONT_STORAGE_BACKEND)"#
    )
    #expect(
      try await configurationError(file: #"{"storage": {"postgres_url": 5}}"#)
        == #"configuration error: storage.postgres_url: expected a PostgreSQL connection URL, or "", got 5 (from storefront.json)"#
    )
  }

  @Test("storefront serve with postgres and no URL exits 2 with the message")
  func serveRefusesPostgresWithoutURL() throws {
    let result = try StorefrontProcess.run(
      ["serve"], in: TemporaryDirectory(), environment: ["STOREFRONT_STORAGE_BACKEND": "postgres"])
    #expect(result.status == 2)
    #expect(
      result.standardError
        == #"configuration error: storage.postgres_url: must be set when storage.backend is "postgres""#
        + "\n")
  }
}
