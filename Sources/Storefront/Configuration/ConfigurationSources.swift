import Configuration
import Foundation

/// The three sources of configuration values, highest precedence first: command-line flags,
/// `STOREFRONT_*` environment variables, the JSON file. Builds the swift-configuration providers
/// in that order and renders a bad value with its source.
struct ConfigurationSources: Sendable {
  let file: ConfigurationFile?
  /// Only the variables that name configuration keys (so nothing else, such as
  /// `STOREFRONT_SUPERUSER_PASSWORD`, ever reaches a provider).
  let environment: [String: String]
  let overrides: [String: String]

  init(file: ConfigurationFile?, environment: [String: String], overrides: [String: String]) {
    let names = Set(ConfigurationSetting.all.map(\.environmentVariable))
    self.file = file
    self.environment = environment.filter { names.contains($0.key) }
    self.overrides = overrides
  }

  /// The providers in precedence order: flags (index 0), environment (1), file (2, if any).
  func providers() async throws(ConfigurationError) -> [any ConfigProvider] {
    var providers: [any ConfigProvider] = [
      InMemoryProvider(name: "flags", values: try flagValues()),
      EnvironmentVariablesProvider(environmentVariables: environment)
        .prefixKeys(with: "storefront"),
    ]
    if let file {
      do {
        // FileProvider's `config:` initializer reads `filePath` from a reader, which spares this
        // target a direct dependency on swift-system for `FilePath`.
        let location = InMemoryProvider(values: [
          "filePath": ConfigValue(.string(file.path), isSecret: false)
        ])
        providers.append(
          try await FileProvider<JSONSnapshot>(config: ConfigReader(provider: location)))
      } catch {
        throw .unreadableFile(file.path, reason: String(describing: error))
      }
    }
    return providers
  }

  /// The overrides as typed values for an `InMemoryProvider` (which does not convert strings).
  private func flagValues() throws(ConfigurationError) -> [AbsoluteConfigKey: ConfigValue] {
    var values: [AbsoluteConfigKey: ConfigValue] = [:]
    for (path, text) in overrides {
      guard let setting = ConfigurationSetting.named(path) else { throw .unknownOverride(path) }
      let content: ConfigContent
      switch setting.kind {
      case .integer:
        guard let integer = Int(text) else { throw invalidValue(for: setting, providerIndex: 0) }
        content = .int(integer)
      case .number:
        guard let number = Double(text) else { throw invalidValue(for: setting, providerIndex: 0) }
        content = .double(number)
      case .text, .choice, .formatted:
        content = .string(text)
      }
      values[AbsoluteConfigKey(ConfigKey(path))] = ConfigValue(content, isSecret: false)
    }
    return values
  }

  /// The error for a bad value of `setting` supplied by the provider at `providerIndex` (or,
  /// when the index is unknown, by the highest-precedence source that has the key).
  func invalidValue(for setting: ConfigurationSetting, providerIndex: Int?) -> ConfigurationError {
    let index = providerIndex ?? fallbackIndex(for: setting)
    let got: String
    let source: ConfigurationSource
    switch index {
    case 0:
      got = overrides[setting.path].map(JSONText.quoted) ?? "nothing"
      source = .flag(setting.flagSpelling)
    case 1:
      got = environment[setting.environmentVariable].map(JSONText.quoted) ?? "nothing"
      source = .environment(setting.environmentVariable)
    default:
      got = file?.values[setting.path]?.rendered ?? "nothing"
      source = file.map { .file($0.path) } ?? .defaults
    }
    return .invalidValue(key: setting.path, expected: setting.expectation, got: got, source: source)
  }

  private func fallbackIndex(for setting: ConfigurationSetting) -> Int {
    if overrides[setting.path] != nil { return 0 }
    if environment[setting.environmentVariable] != nil { return 1 }
    return 2
  }
}
