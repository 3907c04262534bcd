import ArgumentParser
import Primitives
import Storefront

/// The options every command takes: where the configuration file and the data live.
struct ConfigOptions: ParsableArguments {
  @Option(
    name: .customLong("config"),
    help: ArgumentHelp(
      "The JSON configuration file (default: config/storefront.json if it exists).",
      valueName: "path"))
  var configPath: String?

  @Option(
    name: .customLong("data-dir"),
    help: ArgumentHelp(
      "The data directory holding the event log (overrides data_dir).", valueName: "dir"))
  var dataDir: String?

  /// Loads the configuration with these options and `flags` (by key path) as the top layer.
  /// A configuration error is printed to stderr and exits with status 2.
  func loadConfig(flags: [String: String?] = [:]) async throws -> StorefrontConfig {
    var overrides = flags.compactMapValues { $0 }
    if let dataDir { overrides["data_dir"] = dataDir }
    do {
      let config = try await StorefrontConfig.load(configPath: configPath, overrides: overrides)
      try config.checkStorage()
      return config
    } catch {
      StandardError.write("\(error)\n")
      throw ExitCode(2)
    }
  }
}
