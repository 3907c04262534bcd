import ArgumentParser
import Foundation
import Primitives
import Storefront

/// `storefront log`: tools for the event log. `verify` reads beside a running server, `compact`
/// runs in the server when one holds the directory, `repair` needs it stopped.
struct LogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "Check, compact, repair, export or import the event log.",
    subcommands: [Verify.self, Compact.self, Repair.self, Export.self, Import.self]
  )

  /// `storefront log verify`.
  struct Verify: AdminCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every line of the event log; exit 0 when it is intact.")

    @OptionGroup var options: ConfigOptions

    func status(config: StorefrontConfig) async throws -> Int32 {
      try await StorefrontAdmin.verifyLog(config: config)
    }
  }

  /// `storefront log compact`.
  struct Compact: AdminCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rewrite the event log as a snapshot of the current state.",
      discussion: "Runs in the server when one holds the data directory; it keeps serving.")

    @OptionGroup var options: ConfigOptions

    func status(config: StorefrontConfig) async throws -> Int32 {
      try await StorefrontAdmin.compactLog(config: config)
    }
  }

  /// `storefront log export`.
  struct Export: AdminCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the event log to a file in the file backend's format.",
      discussion: "Under storage.backend \"postgres\" it reads the shared log while nodes serve.")

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
    var to: String

    func status(config: StorefrontConfig) async throws -> Int32 {
      try await StorefrontAdmin.exportLog(config: config, to: to)
    }
  }

  /// `storefront log import`.
  struct Import: AdminCommand {
    static let configuration = CommandConfiguration(
      abstract: "Load an exported log file into an empty event log.",
      discussion: "Under storage.backend \"postgres\" the PostgreSQL log must be empty.")

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The file to read.", valueName: "file"))
    var from: String

    func status(config: StorefrontConfig) async throws -> Int32 {
      try await StorefrontAdmin.importLog(config: config, from: from)
    }
  }

  /// `storefront log repair`.
  struct Repair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Cut a damaged event log back to its last good line (with the server stopped).",
      discussion: """
        Asks for confirmation on the terminal before discarding anything. Without a terminal on \
        standard input it refuses unless --yes is given.
        """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Repair without asking for confirmation.")
    var yes = false

    func run() async throws {
      let interactive = isatty(STDIN_FILENO) == 1
      if !yes && !interactive {
        StandardError.write(
          "storefront log repair: refusing to change the log without confirmation: standard "
            + "input is not a terminal. Run it again with --yes to confirm.\n")
        throw ExitCode.failure
      }
      let config = try await options.loadConfig()
      let assumeYes = yes
      try finish(
        withStatus: try await StorefrontAdmin.repairLog(config: config) {
          assumeYes || Self.askForConfirmation()
        })
    }

    /// Asks on the terminal; anything but `y` or `yes` (or end of input) declines.
    private static func askForConfirmation() -> Bool {
      StandardError.write("Discard the damaged part of the event log? [y/N] ")
      guard let answer = readLine() else { return false }
      let normalized = answer.trimmingCharacters(in: .whitespaces).lowercased()
      return normalized == "y" || normalized == "yes"
    }
  }
}
