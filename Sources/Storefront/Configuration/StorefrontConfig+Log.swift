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

    /// `log.level`: the minimum level logged. Default `.info`.
    public var level: Logger.Level = .info
    /// `log.access_level`: the level at which one access line per request is emitted (so
    /// `debug` hides them under the default `level`). Default `.info`.
    public var accessLevel: Logger.Level = .info
    /// `log.format`: text or JSON lines. Default ``Format/text``.
    public var format: Format = .text
  }
}
