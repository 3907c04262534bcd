import ArgumentParser
import Foundation
import Storefront

/// `storefront createsuperuser`: adds a staff user to the data directory.
struct CreateSuperuserCommand: AdminCommand {
  static let configuration = CommandConfiguration(
    commandName: "createsuperuser",
    abstract: "Create a staff superuser.",
    discussion: """
      The password comes from --password or, to keep it out of the process list, from the \
      environment variable STOREFRONT_SUPERUSER_PASSWORD. Runs in the server when one holds \
      the data directory (through its control socket), otherwise opens the directory itself.
      """
  )

  /// The environment variable read when `--password` is not given.
  static let passwordVariable = "STOREFRONT_SUPERUSER_PASSWORD"

  @OptionGroup var options: ConfigOptions

  @Option(help: ArgumentHelp("The new user's username.", valueName: "username"))
  var username: String

  @Option(help: ArgumentHelp("The new user's email address.", valueName: "email"))
  var email: String

  @Option(
    help: ArgumentHelp(
      "The new user's password (default: $STOREFRONT_SUPERUSER_PASSWORD).", valueName: "password"))
  var password: String?

  func validate() throws {
    if resolvedPassword == nil {
      throw ValidationError(
        "No password given: pass --password or set \(Self.passwordVariable).")
    }
  }

  private var resolvedPassword: String? {
    let candidate = password ?? ProcessInfo.processInfo.environment[Self.passwordVariable]
    return candidate?.isEmpty == false ? candidate : nil
  }

  func status(config: StorefrontConfig) async throws -> Int32 {
    guard let password = resolvedPassword else { throw ExitCode.validationFailure }
    return try await StorefrontAdmin.createSuperuser(
      config: config, username: username, email: email, password: password)
  }
}
