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
  /// The file is checked as a whole (even values overridden later); an environment variable is
  /// checked unless a flag overrides it, and a flag always.
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
    configPath: String?, defaultPath: String?, environment: [String: String],
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
    // Highest precedence first; every layer holds text (the file's values, checked, as text).
    var providers: [any ConfigProvider] = [flags, environment].map { variables in
      EnvironmentVariablesProvider(environmentVariables: variables).prefixKeys(with: "storefront")
    }
    if let file { providers.append(file.provider) }
    let reader = ConfigReader(providers: providers)

    var config = StorefrontConfig(configFile: file?.path)
    for setting in ConfigurationSetting.all {
      guard let text = try? await reader.fetchString(forKey: ConfigKey(setting.path)) else {
        continue
      }
      if setting.assign(&config, setting.value(ofText: text)) { continue }
      // The file's values are valid: the bad one is the flag's or the environment's.
      let variable = setting.environmentVariable
      let source: ConfigurationSource =
        flags[variable] != nil ? .flag(setting.flagSpelling) : .environment(variable)
      throw .invalidValue(
        key: setting.path, expected: setting.expectation, got: JSONValue.quoted(text),
        source: source)
    }
    let limits = config.limits
    if limits.maxInflightBodyBytes < limits.maxBodyBytes {
      throw .inconsistent(
        key: "limits.max_inflight_body_bytes",
        reason: "must be at least limits.max_body_bytes (\(limits.maxBodyBytes)), "
          + "got \(limits.maxInflightBodyBytes)")
    }
    return config
  }
}

extension StorefrontConfig {
  /// Throws when ``storage`` names no usable store: `storage.postgres_url` empty while
  /// `storage.backend` is `postgres`. The programs run it after loading (which accepts every
  /// key set alone, and so `storage.backend` without the URL).
  public func checkStorage() throws(ConfigurationError) {
    if storage.backend == .postgres && storage.postgresURL.isEmpty {
      throw .inconsistent(
        key: "storage.postgres_url", reason: "must be set when storage.backend is \"postgres\"")
    }
  }
}
