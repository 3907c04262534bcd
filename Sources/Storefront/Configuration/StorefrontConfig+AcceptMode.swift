extension StorefrontConfig {
  /// How the event loops share the listening port (`accept`).
  public enum AcceptMode: String, Sendable, Equatable, CaseIterable {
    /// Each loop binds its own socket with `SO_REUSEPORT`; the kernel spreads connections.
    case reuseport
    /// One socket is bound once and every loop accepts on it.
    case shared
  }
}
