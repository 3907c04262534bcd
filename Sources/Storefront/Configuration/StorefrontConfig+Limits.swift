extension StorefrontConfig {
  /// Request and connection limits (`limits.*`).
  public struct Limits: Sendable, Equatable {
    /// `limits.max_body_bytes`: the largest request body accepted; larger ones get 413.
    public var maxBodyBytes: Int = 1_048_576
    /// `limits.max_header_bytes`: the largest request line and header fields together; larger
    /// ones get 431 (414 for the request line alone).
    public var maxHeaderBytes: Int = 8192
    /// `limits.timeout_seconds`: how long an idle keep-alive connection stays open, and how
    /// long a reply may take to be written.
    public var timeoutSeconds: Int = 30
    /// `limits.request_timeout_seconds`: from a request's first byte until it has fully
    /// arrived (head and body); a slower client gets 408 and is disconnected.
    public var requestTimeoutSeconds: Int = 30
    /// `limits.max_connections`: the most open connections per server, counted at accept.
    public var maxConnections: Int = 10_000
    /// `limits.max_inflight_body_bytes`: request body bytes held by all connections together
    /// (received or being answered); a body beyond it gets 503. At least `max_body_bytes`.
    public var maxInflightBodyBytes: Int = 67_108_864
    /// `limits.shutdown_timeout_seconds`: how long in-flight requests may take to finish after
    /// SIGINT/SIGTERM.
    public var shutdownTimeoutSeconds: Int = 10
  }
}
