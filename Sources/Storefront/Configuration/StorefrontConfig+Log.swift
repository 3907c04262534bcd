import Logging

extension StorefrontConfig {
  /// Logging settings (`log.*`).
  public struct Log: Sendable, Equatable {
    /// How log lines are written (`log.format`).
    public enum Format: String, Sendable, Equatable, CaseIterable {
      /// swift-log's `StreamLogHandler` layout: `<timestamp> <level> <label>: [<source>] ...`.
      case text
      /// One JSON object per line (access lines and every other line).
      case json
    }

    /// `log.level`: the minimum level logged.
    public var level: Logger.Level = .info
    /// `log.access_level`: the level at which one access line per request is emitted (so
    /// `debug` hides them under the default `level`).
    public var accessLevel: Logger.Level = .info
    /// `log.format`: text or JSON lines.
    public var format: Format = .text
  }
}
