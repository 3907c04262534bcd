/// Where a configuration value came from, for error messages.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
  /// The built-in default.
  case defaults
  /// A JSON configuration file, by the path it was opened with.
  case file(String)
  /// An environment variable, by name (`STOREFRONT_PORT`).
  case environment(String)
  /// A command-line flag, by spelling (`--port`).
  case flag(String)

  /// `config/storefront.json`, `environment variable STOREFRONT_PORT`, `command-line flag --port`.
  public var description: String {
    switch self {
    case .defaults: "the built-in defaults"
    case .file(let path): path
    case .environment(let name): "environment variable \(name)"
    case .flag(let spelling): "command-line flag \(spelling)"
    }
  }
}
