import Foundation
import JSON
import Testing

@testable import Storefront

/// Loads with a default file that lives in `directory` (never the working directory's).
private func load(
  _ directory: TemporaryDirectory, configPath: String? = nil,
  environment: [String: String] = [:], overrides: [String: String] = [:]
) async throws -> StorefrontConfig {
  try await StorefrontConfig.load(
    configPath: configPath,
    defaultPath: directory.url.appendingPathComponent("config/storefront.json").path,
    environment: environment, overrides: overrides)
}

@Suite("Configuration precedence: defaults < file < environment < flags")
struct ConfigurationPrecedenceTests {
  @Test("A missing default file means the defaults")
  func missingDefaultFileGivesDefaults() async throws {
    let directory = try TemporaryDirectory()
    let config = try await load(directory)
    #expect(config == StorefrontConfig())
    #expect(config.configFile == nil)
    #expect(config.host == "127.0.0.1")
    #expect(config.port == 8000)
    #expect(config.dataDir == "data")
    #expect(config.limits.maxBodyBytes == 1_048_576)
    #expect(config.storage.fsync == .always)
    #expect(config.auth.pbkdf2Iterations == 1_000_000)
  }

  @Test("The default file is read from its default path when present")
  func defaultFileIsRead() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(#"{"port": 9001}"#, to: "config/storefront.json")
    let config = try await load(directory)
    #expect(config.port == 9001)
    #expect(config.configFile == path)
  }

  @Test("The file overrides the defaults, and keys it omits keep their defaults")
  func fileOverridesDefaults() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      #"{"port": 9001, "limits": {"max_body_bytes": 2048}, "storage": {"fsync": "batch"}}"#,
      to: "custom.json")
    let config = try await load(directory, configPath: path)
    var expected = StorefrontConfig(configFile: path)
    expected.port = 9001
    expected.limits.maxBodyBytes = 2048
    expected.storage.fsync = .batch
    #expect(config == expected)
  }

  @Test("Environment variables override the file")
  func environmentOverridesFile() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      #"{"port": 9001, "limits": {"max_body_bytes": 2048}, "storage": {"compaction_factor": 3}}"#,
      to: "custom.json")
    let config = try await load(
      directory, configPath: path,
      environment: [
        "STOREFRONT_PORT": "9002",
        "STOREFRONT_LIMITS_MAX_BODY_BYTES": "4096",
      ])
    #expect(config.port == 9002)
    #expect(config.limits.maxBodyBytes == 4096)
    #expect(config.storage.compactionFactor == 3.0)
  }

  @Test("Flags override environment variables and the file")
  func flagsOverrideEnvironment() async throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      #"{"port": 9001, "data_dir": "from-file", "limits": {"max_body_bytes": 2048}}"#,
      to: "custom.json")
    let config = try await load(
      directory, configPath: path,
      environment: [
        "STOREFRONT_PORT": "9002",
        "STOREFRONT_DATA_DIR": "from-env",
        "STOREFRONT_LIMITS_MAX_BODY_BYTES": "4096",
      ],
      overrides: ["port": "9003", "data_dir": "from-flag", "limits.max_body_bytes": "8192"])
    #expect(config.port == 9003)
    #expect(config.dataDir == "from-flag")
    #expect(config.limits.maxBodyBytes == 8192)
  }

  @Test("A flag shadows the environment variable of the same key, even a bad one")
  func flagShadowsEnvironment() async throws {
    let directory = try TemporaryDirectory()
    let config = try await load(
      directory, environment: ["STOREFRONT_PORT": "abc"], overrides: ["port": "0"])
    #expect(config.port == 0)
  }

  @Test("Every key can be set from the environment", arguments: StorefrontConfig.keys)
  func everyKeyFromEnvironment(key: String) async throws {
    let setting = try #require(ConfigurationSetting.named(key))
    let directory = try TemporaryDirectory()
    let (text, value) = nonDefaultValue(for: setting)
    let config = try await load(directory, environment: [setting.environmentVariable: text])
    #expect(setting.read(config) == value)
  }

  @Test("Every key can be set by a flag override", arguments: StorefrontConfig.keys)
  func everyKeyFromFlags(key: String) async throws {
    let setting = try #require(ConfigurationSetting.named(key))
    let directory = try TemporaryDirectory()
    let (text, value) = nonDefaultValue(for: setting)
    let config = try await load(directory, overrides: [setting.path: text])
    #expect(setting.read(config) == value)
  }

  @Test("Environment variables that are not configuration keys are ignored")
  func unrelatedEnvironmentIgnored() async throws {
    let directory = try TemporaryDirectory()
    let config = try await load(
      directory,
      environment: [
        "STOREFRONT_SUPERUSER_PASSWORD": "secret", "STOREFRONT_NOT_A_KEY": "x", "PORT": "1",
      ])
    #expect(config == StorefrontConfig())
  }

  @Test("Environment variable names follow the key paths")
  func environmentVariableNames() {
    #expect(StorefrontConfig.environmentVariableName(forKey: "port") == "STOREFRONT_PORT")
    #expect(
      StorefrontConfig.environmentVariableName(forKey: "limits.max_body_bytes")
        == "STOREFRONT_LIMITS_MAX_BODY_BYTES")
    #expect(
      StorefrontConfig.environmentVariableName(forKey: "auth.pbkdf2_iterations")
        == "STOREFRONT_AUTH_PBKDF2_ITERATIONS")
  }

  @Test("workers and hash_threads of 0 resolve to the number of cores")
  func zeroMeansCores() {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    #expect(StorefrontConfig().resolvedWorkers == cores)
    #expect(StorefrontConfig(workers: 3).resolvedWorkers == 3)
    #expect(StorefrontConfig.Auth().resolvedHashThreads == cores)
    #expect(StorefrontConfig.Auth(hashThreads: 2).resolvedHashThreads == 2)
  }

  /// A valid value different from the default, as text and as the JSON value it becomes.
  private func nonDefaultValue(for setting: ConfigurationSetting) -> (String, JSONValue) {
    let current = setting.read(StorefrontConfig())
    switch (setting.kind, current) {
    case (.integer(let range), .number(let literal)):
      let value = Int(literal)!
      let other = value == range.upperBound ? value - 1 : value + 1
      return (String(other), .number(String(other)))
    case (.number, .number(let literal)):
      let other = String(Double(literal)! + 0.5)
      return (other, .number(other))
    case (.choice(let names), .string(let value)):
      let other = names.first { $0 != value }!
      return (other, .string(other))
    case (.formatted(let example), _):
      return (example, .string(example))
    default:
      return ("custom-value", .string("custom-value"))
    }
  }
}
