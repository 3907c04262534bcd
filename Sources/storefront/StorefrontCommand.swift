import ArgumentParser

/// `storefront`: the root command. `serve` runs when no subcommand is named.
@main
struct StorefrontCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "storefront",
    abstract: "Storefront, an e-commerce API server.",
    discussion: """
      Configuration is read from config/storefront.json (or --config PATH), then from \
      STOREFRONT_* environment variables (STOREFRONT_PORT, STOREFRONT_LIMITS_MAX_BODY_BYTES, ...), \
      then from command-line flags; each overrides the one before. See config/README.md for \
      every key. A configuration error exits with status 2.
      """,
    subcommands: [
      ServeCommand.self, CreateSuperuserCommand.self, BackupCommand.self, RestoreCommand.self,
      LogCommand.self,
    ],
    defaultSubcommand: ServeCommand.self
  )
}
