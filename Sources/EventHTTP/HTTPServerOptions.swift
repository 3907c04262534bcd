/// How an ``HTTPServer`` listens and what it tolerates.
public struct HTTPServerOptions: Sendable {
  /// How several loops share one port.
  public enum AcceptMode: String, Sendable {
    /// One listening socket per loop, with `SO_REUSEPORT`: the kernel spreads connections.
    case reusePort = "reuseport"
    /// One listening socket whose descriptor every loop accepts on.
    case shared
  }

  public var host: String
  /// 0 picks a free ephemeral port (read it back from ``HTTPServer/port``).
  public var port: Int
  public var workers: Int
  public var acceptMode: AcceptMode
  /// Bodies above this are still read (up to `4 x maxBodyBytes`, min 4 MiB) so that the
  /// responder can answer with its own 413; beyond that evhttp refuses them itself.
  public var maxBodyBytes: Int
  public var maxHeaderBytes: Int
  /// evhttp 2.1 applies one timeout to reads, writes and idle keep-alive connections.
  public var timeoutSeconds: Int
  public var maxConnections: Int
  public var backlog: Int32

  public init(
    host: String = "127.0.0.1", port: Int = 8000, workers: Int = 1,
    acceptMode: AcceptMode = .reusePort, maxBodyBytes: Int = 1 << 20,
    maxHeaderBytes: Int = 8192, timeoutSeconds: Int = 30, maxConnections: Int = 10_000,
    backlog: Int32 = 4096
  ) {
    self.host = host
    self.port = port
    self.workers = workers
    self.acceptMode = acceptMode
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderBytes = maxHeaderBytes
    self.timeoutSeconds = timeoutSeconds
    self.maxConnections = maxConnections
    self.backlog = backlog
  }

  /// The body size evhttp itself enforces (it answers beyond it with its own HTML 413).
  var hardBodyLimit: Int { max(maxBodyBytes * 4, 4 << 20) }
}
