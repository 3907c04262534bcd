import Logging

extension StorefrontConfig {
  /// Logging settings (`log.*`).
  public struct Log: Sendable, Equatable {
    /// `log.level`: the minimum level logged. Default `.info`.
    public var level: Logger.Level
    /// `log.access_level`: the level at which one access line per request is emitted (so
    /// `debug` hides them under the default `level`). Default `.info`.
    public var accessLevel: Logger.Level

    /// Logging settings; every argument defaults to the documented default.
    public init(level: Logger.Level = .info, accessLevel: Logger.Level = .info) {
      self.level = level
      self.accessLevel = accessLevel
    }
  }
}
