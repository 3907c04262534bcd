import Foundation
import Testing

@testable import Storefront

@Suite("Configuration errors name the key and where the value came from")
struct ConfigurationErrorTests {
  /// The message `load` throws, or a recorded issue when it does not throw.
  private func message(
    file: String? = nil, environment: [String: String] = [:], overrides: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> String {
    guard
      let message = try await configurationError(
        file: file, environment: environment, overrides: overrides)
    else {
      Issue.record("expected a configuration error", sourceLocation: sourceLocation)
      return ""
    }
    return message
  }

  @Test("An unknown key in the file is named, with a suggestion")
  func unknownNestedKey() async throws {
    #expect(
      try await message(file: #"{"limits": {"max_bodyy_bytes": 5}}"#)
        == #"configuration error: unknown key "limits.max_bodyy_bytes" in storefront.json (did you mean "limits.max_body_bytes"?)"#
    )
  }

  @Test("Every unknown key is named, top-level ones too")
  func unknownKeys() async throws {
    let text = try await message(file: #"{"prot": 1, "colour": "red", "auth": {"x": 1}}"#)
    #expect(
      text.hasPrefix(
        #"configuration error: unknown keys "auth.x", "colour", "prot" in storefront.json"#))
    #expect(text.contains(#""port""#))
  }

  @Test("A dotted key in the file is not a nested key")
  func dottedKeyIsUnknown() async throws {
    #expect(
      try await message(file: #"{"limits.max_body_bytes": 5}"#).contains(
        #"unknown key "limits.max_body_bytes" in storefront.json"#))
  }

  @Test("A bad value in the file")
  func badValueInFile() async throws {
    #expect(
      try await message(file: #"{"limits": {"max_body_bytes": "abc"}}"#)
        == #"configuration error: limits.max_body_bytes: expected a positive integer up to 1073741824, got "abc" (from storefront.json)"#
    )
  }

  @Test(
    "Wrong JSON types are errors even where swift-configuration would convert",
    arguments: [
      (#"{"port": true}"#, "port", "got true"),
      (#"{"port": 80.5}"#, "port", "got 80.5"),
      (#"{"port": "80"}"#, "port", #"got "80""#),
      (#"{"host": 1}"#, "host", "got 1"),
      (#"{"log": {"level": null}}"#, "log.level", "got null"),
      (#"{"storage": {"fsync": ["always"]}}"#, "storage.fsync", "got an array"),
      (#"{"limits": 3}"#, "limits", "got 3"),
    ])
  func wrongTypesInFile(json: String, key: String, got: String) async throws {
    let text = try await message(file: json)
    #expect(text.hasPrefix("configuration error: \(key): expected "))
    #expect(text.hasSuffix("\(got) (from storefront.json)"))
  }

  @Test(
    "Out-of-range values in the file",
    arguments: [
      (#"{"port": 65536}"#, "port: expected an integer from 0 to 65535, got 65536"),
      (#"{"port": -1}"#, "port: expected an integer from 0 to 65535, got -1"),
      (
        #"{"workers": 257}"#,
        "workers: expected an integer from 0 to 256 (0 = one per core), got 257"
      ),
      (#"{"data_dir": ""}"#, #"data_dir: expected a non-empty string, got """#),
      (
        #"{"limits": {"timeout_seconds": 0}}"#,
        "limits.timeout_seconds: expected a positive integer up to 86400, got 0"
      ),
      (
        #"{"storage": {"compaction_factor": 0.5}}"#,
        "storage.compaction_factor: expected a number greater than 1, got 0.5"
      ),
      (
        #"{"accept": "roundrobin"}"#,
        #"accept: expected one of "reuseport", "shared", got "roundrobin""#
      ),
      // Values that passed as "positive" once and then overflowed arithmetic at run time.
      (
        #"{"auth": {"token_ttl_seconds": 10000000000000}}"#,
        "auth.token_ttl_seconds: expected an integer from 0 to 3153600000 (0 = no expiry), "
          + "got 10000000000000"
      ),
      (
        #"{"limits": {"max_body_bytes": 9223372036854775807}}"#,
        "limits.max_body_bytes: expected a positive integer up to 1073741824, "
          + "got 9223372036854775807"
      ),
      (
        #"{"limits": {"max_connections": 9223372036854775807}}"#,
        "limits.max_connections: expected a positive integer up to 1000000, "
          + "got 9223372036854775807"
      ),
    ])
  func outOfRangeInFile(json: String, expected: String) async throws {
    #expect(
      try await message(file: json) == "configuration error: \(expected) (from storefront.json)")
  }

  @Test("A bad value in the environment")
  func badValueInEnvironment() async throws {
    #expect(
      try await message(environment: ["STOREFRONT_LIMITS_MAX_BODY_BYTES": "abc"])
        == #"configuration error: limits.max_body_bytes: expected a positive integer up to 1073741824, got "abc" (from environment variable STOREFRONT_LIMITS_MAX_BODY_BYTES)"#
    )
  }

  @Test(
    "Out-of-range and malformed values in the environment",
    arguments: [
      ("STOREFRONT_PORT", "70000", "port"),
      ("STOREFRONT_PORT", "", "port"),
      ("STOREFRONT_PORT", " 80", "port"),
      ("STOREFRONT_STORAGE_FSYNC", "sometimes", "storage.fsync"),
      ("STOREFRONT_STORAGE_COMPACTION_FACTOR", "inf", "storage.compaction_factor"),
      ("STOREFRONT_STORAGE_COMPACTION_FACTOR", "nan", "storage.compaction_factor"),
      ("STOREFRONT_LOG_LEVEL", "verbose", "log.level"),
      ("STOREFRONT_AUTH_TOKEN_TTL_SECONDS", "-1", "auth.token_ttl_seconds"),
    ])
  func badValuesInEnvironment(name: String, value: String, key: String) async throws {
    let text = try await message(environment: [name: value])
    #expect(text.hasPrefix("configuration error: \(key): expected "))
    #expect(text.hasSuffix(#"got "\#(value)" (from environment variable \#(name))"#))
  }

  @Test("An environment value is checked even when the file has a good one")
  func environmentOverFileIsChecked() async throws {
    #expect(
      try await message(file: #"{"port": 9000}"#, environment: ["STOREFRONT_PORT": "abc"])
        == #"configuration error: port: expected an integer from 0 to 65535, got "abc" (from environment variable STOREFRONT_PORT)"#
    )
  }

  @Test("A bad value in a flag")
  func badValueInFlag() async throws {
    #expect(
      try await message(overrides: ["port": "abc"])
        == #"configuration error: port: expected an integer from 0 to 65535, got "abc" (from command-line flag --port)"#
    )
    #expect(
      try await message(overrides: ["workers": "999"])
        == #"configuration error: workers: expected an integer from 0 to 256 (0 = one per core), got "999" (from command-line flag --workers)"#
    )
    #expect(
      try await message(overrides: ["data_dir": ""])
        == #"configuration error: data_dir: expected a non-empty string, got "" (from command-line flag --data-dir)"#
    )
  }

  @Test("An unknown override key is a programming error, named")
  func unknownOverride() async throws {
    #expect(
      try await message(overrides: ["prot": "1"])
        == #"configuration error: unknown key "prot" given as a command-line override"#)
  }

  @Test("An explicit --config that does not exist is an error")
  func missingExplicitFile() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.absent("nope.json")
    await #expect(throws: ConfigurationError.missingFile(path)) {
      _ = try await StorefrontConfig.load(configPath: path, environment: [:], overrides: [:])
    }
  }

  @Test("Malformed JSON is reported with its line and column")
  func malformedJSON() async throws {
    #expect(
      try await message(file: "{\n  \"port\": 8000\n  \"host\": \"x\"\n}").hasPrefix(
        "configuration error: storefront.json: not a valid configuration file: invalid JSON: "))
    #expect(
      try await message(file: "{\n  \"port\": 8000,\n  \"host\": x\n}").contains(
        "line 3, column 11"))
    #expect(
      try await message(file: "[1, 2]")
        == "configuration error: storefront.json: not a valid configuration file: the top level must be a JSON object"
    )
  }

  @Test("The in-flight body budget must hold at least one largest body")
  func inflightBudgetBelowBodyLimit() async throws {
    let text = try await message(
      file: #"{"limits": {"max_body_bytes": 2048, "max_inflight_body_bytes": 1024}}"#)
    #expect(
      text
        == "configuration error: limits.max_inflight_body_bytes: must be at least "
        + "limits.max_body_bytes (2048), got 1024")
  }
}
