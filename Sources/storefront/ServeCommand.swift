import ArgumentParser
import Storefront

/// `storefront serve`: runs the HTTP server.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the HTTP server (the default command).",
    discussion: "Stops on SIGINT or SIGTERM after in-flight requests finish."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: ArgumentHelp("The address to listen on (overrides host).", valueName: "host"))
  var host: String?

  @Option(
    help: ArgumentHelp(
      "The TCP port to listen on, 0 for any free port (overrides port).", valueName: "port"))
  var port: String?

  @Option(
    help: ArgumentHelp(
      "The number of event loops, 0 for one per core (overrides workers).", valueName: "n"))
  var workers: String?

  func run() async throws {
    let config = try await options.loadConfig(flags: [
      "host": host, "port": port, "workers": workers,
    ])
    try finish(withStatus: try await StorefrontServer.run(config: config))
  }
}
