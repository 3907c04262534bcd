import Synchronization

/// Counters shared by all loops of a server; readable from any thread.
public final class HTTPStats: Sendable {
  /// Requests received and not yet answered.
  public let inFlight = Atomic<Int>(0)
  /// Replies handed to `evhttp_send_reply`.
  public let repliesSent = Atomic<Int>(0)
  /// Replies that would have been sent from a thread other than the request's loop thread.
  /// The executor bridge makes this impossible; tests assert it stays 0.
  public let repliesOffLoop = Atomic<Int>(0)
  /// Connections currently open (counted from their first request).
  public let openConnections = Atomic<Int>(0)

  public init() {}
}
