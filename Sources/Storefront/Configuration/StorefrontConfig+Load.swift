import Configuration
import Foundation

extension StorefrontConfig {
  /// The configuration file read when no `--config` path is given, relative to the working
  /// directory. Its absence is not an error.
  public static let defaultConfigPath = ConfigurationFile.defaultPath

  /// Every configuration key as a dotted path (`limits.max_body_bytes`), in documentation order.
  public static var keys: [String] { ConfigurationSetting.all.map(\.path) }

  /// The environment variable that sets `key`: `STOREFRONT_` and the key path upper-cased with
  /// dots as underscores (`limits.max_body_bytes` -> `STOREFRONT_LIMITS_MAX_BODY_BYTES`).
  public static func environmentVariableName(forKey key: String) -> String {
    "STOREFRONT_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
  }

  /// Loads the configuration: defaults, then the JSON file, then `STOREFRONT_*` environment
  /// variables, then `overrides` (command-line flags), each overriding the ones before.
  ///
  /// ```swift
  /// let config = try await StorefrontConfig.load(
  ///   configPath: nil, overrides: ["port": "9000", "data_dir": "/var/lib/storefront"])
  /// ```
  ///
  /// - Parameters:
  ///   - configPath: The JSON file to read; `nil` reads ``defaultConfigPath`` if it exists.
  ///     A path given here must exist.
  ///   - environment: The environment to read `STOREFRONT_*` variables from.
  ///   - overrides: Values from command-line flags as written, by dotted key path
  ///     (`["port": "9000"]`).
  /// - Throws: ``ConfigurationError`` naming the key and its source for an unknown key in the
  ///   file, a value of the wrong type or out of range, or a missing or malformed file.
  public static func load(
    configPath: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    overrides: [String: String] = [:]
  ) async throws(ConfigurationError) -> StorefrontConfig {
    try await load(
      configPath: configPath, defaultPath: defaultConfigPath, environment: environment,
      overrides: overrides)
  }

  /// ``load(configPath:environment:overrides:)`` with another default file (tests, which
  /// cannot change the working directory) or none (`nil`: embedders).
  static func load(
    configPath: String?,
    defaultPath: String?,
    environment: [String: String],
    overrides: [String: String]
  ) async throws(ConfigurationError) -> StorefrontConfig {
    let file = try ConfigurationFile.load(explicitPath: configPath, defaultPath: defaultPath)
    let sources = ConfigurationSources(file: file, environment: environment, overrides: overrides)
    let recorder = LookupRecorder()
    let reader = ConfigReader(providers: try await sources.providers(), accessReporter: recorder)

    var config = StorefrontConfig(configFile: file?.path)
    for setting in ConfigurationSetting.all {
      let value: ConfigurationSetting.Value?
      do {
        value = try await fetch(setting, from: reader)
      } catch {
        throw sources.invalidValue(
          for: setting, providerIndex: recorder.providerIndex(forKey: setting.path))
      }
      guard let value else { continue }
      guard setting.assign(&config, value) else {
        throw sources.invalidValue(
          for: setting, providerIndex: recorder.providerIndex(forKey: setting.path))
      }
    }
    if config.limits.maxInflightBodyBytes < config.limits.maxBodyBytes {
      throw .inconsistent(
        key: "limits.max_inflight_body_bytes",
        reason:
          "must be at least limits.max_body_bytes (\(config.limits.maxBodyBytes)), "
          + "got \(config.limits.maxInflightBodyBytes)")
    }
    return config
  }

  private static func fetch(
    _ setting: ConfigurationSetting, from reader: ConfigReader
  ) async throws -> ConfigurationSetting.Value? {
    let key = ConfigKey(setting.path)
    switch setting.kind {
    case .integer: return try await reader.fetchInt(forKey: key).map { .integer($0) }
    case .number: return try await reader.fetchDouble(forKey: key).map { .number($0) }
    case .text, .choice, .formatted:
      return try await reader.fetchString(forKey: key).map { .text($0) }
    }
  }
}
