import ArgumentParser
import Storefront

/// A command that runs one ``StorefrontAdmin`` operation with the loaded configuration and
/// exits with the status the operation returns.
protocol AdminCommand: AsyncParsableCommand {
  var options: ConfigOptions { get }

  /// Runs the operation; its status ends the command (``finish(withStatus:)``).
  func status(config: StorefrontConfig) async throws -> Int32
}

extension AdminCommand {
  func run() async throws {
    let config = try await options.loadConfig()
    try finish(withStatus: try await status(config: config))
  }
}
