import EventHTTP
import Foundation
import Logging

/// The process's loggers. Everything reaches standard error through one thread, the
/// ``standardError`` writer: swift-log lines (formatted by `StreamLogHandler`, submitted whole)
/// and access lines (formatted by the loops into their rings). Being the only writer of fd 2,
/// it never interleaves or tears lines, and no other thread ever blocks on standard error.
enum LoggingSetup {
  /// The writer of standard error; started with the first logger.
  static let standardError = AccessLogWriter(
    fileDescriptor: STDERR_FILENO,
    reportFormat: AccessLogFormat(level: "warning", label: "storefront", source: "Storefront"))

  /// How long a flush at exit waits for a blocked standard error.
  static let exitFlushTimeout = Duration.seconds(2)

  /// Bootstraps swift-log once per process; later calls do nothing.
  static func bootstrap() { _ = once }

  private static let once: Void = {
    let writer = standardError
    LoggingSystem.bootstrap { label in
      StreamLogHandler(label: label, stream: WriterStream(writer: writer))
    }
    // Lines still waiting when the process exits (any exit(3) path) are written first.
    atexit { _ = LoggingSetup.standardError.flushBlocking(timeout: LoggingSetup.exitFlushTimeout) }
  }()

  /// A logger for `label` at the configured level, in the configured format (`log.format`).
  static func logger(_ label: String, config: StorefrontConfig) -> Logger {
    bootstrap()
    var logger: Logger
    switch config.log.format {
    case .text:
      logger = Logger(label: label)
    case .json:
      let writer = standardError
      writer.reportFormat?.style = .json
      logger = Logger(label: label) { JSONLineLogHandler(label: $0, writer: writer) }
    }
    logger.logLevel = config.log.level
    return logger
  }

  /// Waits until everything logged so far is written to standard error (bounded).
  static func flush() async {
    bootstrap()
    _ = await standardError.flush(timeout: exitFlushTimeout)
  }

  /// Like ``flush()``, blocking (for the C API's threads).
  static func flushBlocking() {
    bootstrap()
    _ = standardError.flushBlocking(timeout: exitFlushTimeout)
  }

  /// The access log for `log.access_level` on `loops` loops, labelled like `logger`, or `nil`
  /// when `log.level` filters that level out: then nothing is built per request. Drops are
  /// reported as warnings when `log.level` lets warnings through.
  static func accessLog(config: StorefrontConfig, logger: Logger, loops: Int) -> AccessLog? {
    bootstrap()
    let level = config.log.accessLevel
    guard level >= logger.logLevel else { return nil }
    return AccessLog(
      writer: standardError, loops: loops,
      format: AccessLogFormat(
        level: "\(level)", label: logger.label, source: "Storefront",
        style: config.log.format == .json ? .json : .text),
      reportsDrops: Logger.Level.warning >= logger.logLevel)
  }
}

/// swift-log's `StreamLogHandler` writes each line with one `write` call: each becomes one unit
/// for the writer thread.
private struct WriterStream: TextOutputStream, Sendable {
  let writer: AccessLogWriter

  func write(_ string: String) { writer.submit(string) }
}
