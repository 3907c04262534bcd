extension StorefrontConfig {
  /// Request and connection limits (`limits.*`).
  public struct Limits: Sendable, Equatable {
    /// `limits.max_body_bytes`: the largest request body accepted; larger ones get 413.
    /// Default 1 MiB.
    public var maxBodyBytes: Int
    /// `limits.max_header_bytes`: the largest request header block accepted. Default 8192.
    public var maxHeaderBytes: Int
    /// `limits.timeout_seconds`: the one libevent 2.1 timeout applied to reads, writes and idle
    /// keep-alive connections. Default 30.
    public var timeoutSeconds: Int
    /// `limits.max_connections`: the most open connections per server. Default 10000.
    public var maxConnections: Int
    /// `limits.shutdown_timeout_seconds`: how long in-flight requests may take to finish after
    /// SIGINT/SIGTERM. Default 10.
    public var shutdownTimeoutSeconds: Int

    /// Limits; every argument defaults to the documented default.
    public init(
      maxBodyBytes: Int = 1_048_576,
      maxHeaderBytes: Int = 8192,
      timeoutSeconds: Int = 30,
      maxConnections: Int = 10_000,
      shutdownTimeoutSeconds: Int = 10
    ) {
      self.maxBodyBytes = maxBodyBytes
      self.maxHeaderBytes = maxHeaderBytes
      self.timeoutSeconds = timeoutSeconds
      self.maxConnections = maxConnections
      self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
    }
  }
}
