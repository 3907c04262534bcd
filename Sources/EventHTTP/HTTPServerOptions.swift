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
  /// The largest request body; larger ones are refused with 413 before they are read.
  public var maxBodyBytes: Int
  /// The request line and header fields together (431, or 414 for the line alone, beyond).
  public var maxHeaderBytes: Int
  /// evhttp's timeout for idle keep-alive connections and for writes.
  public var timeoutSeconds: Int
  /// From the first byte of a request until it has fully arrived (head and body): a client
  /// that takes longer gets 408 and the connection closes.
  public var requestTimeoutSeconds: Int
  /// Open connections, counted at accept; at the limit the server stops accepting.
  public var maxConnections: Int
  /// Request body bytes all connections may hold at once (being received or not yet
  /// answered); a body beyond it is refused with 503 and `Retry-After`.
  public var maxInflightBodyBytes: Int
  public var backlog: Int32

  public init(
    host: String = "127.0.0.1", port: Int = 8000, workers: Int = 1,
    acceptMode: AcceptMode = .reusePort, maxBodyBytes: Int = 1 << 20,
    maxHeaderBytes: Int = 8192, timeoutSeconds: Int = 30, requestTimeoutSeconds: Int = 30,
    maxConnections: Int = 10_000, maxInflightBodyBytes: Int = 64 << 20, backlog: Int32 = 4096
  ) {
    self.host = host
    self.port = port
    self.workers = workers
    self.acceptMode = acceptMode
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderBytes = maxHeaderBytes
    self.timeoutSeconds = timeoutSeconds
    self.requestTimeoutSeconds = requestTimeoutSeconds
    self.maxConnections = maxConnections
    self.maxInflightBodyBytes = maxInflightBodyBytes
    self.backlog = backlog
  }

  /// The body size evhttp itself enforces, a backstop behind the guard's 413.
  var hardBodyLimit: Int { max(maxBodyBytes * 4, 4 << 20) }
}
