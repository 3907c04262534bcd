import Logging

/// The process's loggers: everything goes to standard error through swift-log.
enum LoggingSetup {
  /// Bootstraps swift-log once per process; later calls do nothing.
  static func bootstrap() { _ = once }

  private static let once: Void = {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
  }()

  /// A logger for `label` at the configured level.
  static func logger(_ label: String, config: StorefrontConfig) -> Logger {
    bootstrap()
    var logger = Logger(label: label)
    logger.logLevel = config.log.level
    return logger
  }
}
