import ArgumentParser
import Storefront

/// `storefront backup --to FILE`: a consistent, compacted copy of the event log.
struct BackupCommand: AdminCommand {
  static let configuration = CommandConfiguration(
    commandName: "backup",
    abstract: "Write a consistent, compacted copy of the event log to a file.",
    discussion: """
      Works while the server runs (it keeps serving; the copy is the state at the last \
      acknowledged write when the backup starts) and while it is stopped. The file is written \
      as FILE.partial, synced, then renamed to FILE. Restore it with `storefront restore`.
      """
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: ArgumentHelp("The backup file to write.", valueName: "file"))
  var to: String

  func status(config: StorefrontConfig) async throws -> Int32 {
    try await StorefrontAdmin.backup(config: config, to: to)
  }
}

/// `storefront restore --from FILE --data-dir DIR`: makes a backup the directory's log.
struct RestoreCommand: AdminCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Make a backup the event log of a data directory (with no server running on it).",
    discussion: """
      Checks every line of the backup first. Refuses a data directory that is not empty \
      unless --force is given (then only its event log is replaced), and one a server holds.
      """
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: ArgumentHelp("The backup file to restore.", valueName: "file"))
  var from: String

  @Flag(help: "Replace the event log of a data directory that is not empty.")
  var force = false

  func status(config: StorefrontConfig) async throws -> Int32 {
    try await StorefrontAdmin.restore(config: config, from: from, force: force)
  }
}
