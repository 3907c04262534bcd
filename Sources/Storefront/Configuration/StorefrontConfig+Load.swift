import Configuration
import Foundation
import JSON

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
    // Only variables that name keys reach a provider (not STOREFRONT_SUPERUSER_PASSWORD).
    let names = Set(ConfigurationSetting.all.map(\.environmentVariable))
    let environment = environment.filter { names.contains($0.key) }
    var flags: [String: String] = [:]
    for (key, text) in overrides {
      guard let setting = ConfigurationSetting.named(key) else { throw .unknownOverride(key) }
      flags[setting.environmentVariable] = text
    }
    // Highest precedence first. Flags arrive as text, as environment variables do, so the same
    // provider turns both into typed values.
    var providers: [any ConfigProvider] = [
      EnvironmentVariablesProvider(environmentVariables: flags).prefixKeys(with: "storefront"),
      EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(
        with: "storefront"),
    ]
    if let file { providers.append(file.provider) }
    let reader = ConfigReader(providers: providers)

    /// The value of `setting` is bad in the layer that supplied it: the first that has the key
    /// (ConfigReader returns, or fails on, the first provider holding a key).
    func invalid(_ setting: ConfigurationSetting) -> ConfigurationError {
      let variable = setting.environmentVariable
      let (got, source): (String, ConfigurationSource) =
        if let text = flags[variable] {
          (JSONValue.quoted(text), .flag(setting.flagSpelling))
        } else if let text = environment[variable] {
          (JSONValue.quoted(text), .environment(variable))
        } else {
          (
            file?.values[setting.path]?.rendered ?? "nothing",
            file.map { .file($0.path) } ?? .defaults
          )
        }
      return .invalidValue(
        key: setting.path, expected: setting.expectation, got: got, source: source)
    }

    var config = StorefrontConfig(configFile: file?.path)
    for setting in ConfigurationSetting.all {
      let value: ConfigurationSetting.Value?
      do { value = try await setting.fetch(from: reader) } catch { throw invalid(setting) }
      if let value, !setting.assign(&config, value) { throw invalid(setting) }
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
}
