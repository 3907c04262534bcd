import CLibevent
import Foundation
import Primitives
import Synchronization

/// A multi-loop evhttp server: `workers` event loops, each on its own thread with its own
/// `event_base` and `evhttp`, all accepting on one port.
///
/// ```swift
/// let server = try HTTPServer(options: HTTPServerOptions(port: 0, workers: 2), responder: app)
/// try server.start()
/// print(server.port)
/// _ = await server.shutdown(timeout: .seconds(10))
/// ```
public final class HTTPServer: Sendable {
  public let options: HTTPServerOptions
  public let stats = HTTPStats()
  public let loops: [EventLoop]
  /// The cap on request body bytes held at once, shared by the loops.
  public let bodyBudget: BodyBudget?
  private let dispatchers: [RequestDispatcher]
  private let boundPort = Atomic<Int>(0)
  private let state = Locked<State>(.idle)
  /// Written out (closed) by ``shutdown(timeout:)`` once the loops stopped.
  private let observer: AccessLog?

  private enum State { case idle, running, stopped }

  /// Creates the loops and their evhttp instances; nothing listens until ``start()``.
  ///
  /// - Parameters:
  ///   - observer: the access log (one line per reply), if any.
  ///   - metrics: request and connection metrics (for `options.workers` loops), if any.
  public init(
    options: HTTPServerOptions, responder: any HTTPResponder, observer: AccessLog? = nil,
    metrics: HTTPMetrics? = nil
  ) throws {
    precondition(options.workers >= 1, "workers must be at least 1")
    self.options = options
    self.observer = observer
    var loops: [EventLoop] = []
    var dispatchers: [RequestDispatcher] = []
    let perLoopConnections = max(
      1, (options.maxConnections + options.workers - 1) / options.workers)
    let budget = BodyBudget(capacity: options.maxInflightBodyBytes)
    let requestIDRandom = UInt32.random(in: .min ... .max)
    bodyBudget = budget
    let framing = RequestFraming(
      maxHeaderBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes,
      requestTimeoutSeconds: options.requestTimeoutSeconds,
      budget: budget)
    for index in 0..<options.workers {
      let loop = try EventLoop(index: index)
      guard let http = evhttp_new(loop.base) else { throw EventHTTPError("evhttp_new failed") }
      evhttp_set_max_body_size(http, Int(options.hardBodyLimit))
      // The guard enforces the header limit; evhttp's is a backstop with room for the
      // canonical form (an added Content-Length, a placeholder method).
      evhttp_set_max_headers_size(http, Int(options.maxHeaderBytes + 1024))
      var timeout = timeval(tv_sec: options.timeoutSeconds, tv_usec: 0)
      evhttp_set_timeout_tv(http, &timeout)
      let dispatcher = RequestDispatcher(
        loop: loop, http: http, responder: responder, stats: stats,
        maxBodyBytes: options.maxBodyBytes, maxConnections: perLoopConnections,
        framing: framing, observer: observer, metrics: metrics,
        requestIDRandom: requestIDRandom)
      loop.onStop { evhttp_free(http) }
      loops.append(loop)
      dispatchers.append(dispatcher)
    }
    self.loops = loops
    self.dispatchers = dispatchers
  }

  /// The port the server listens on (useful when it was started with port 0).
  public var port: Int { boundPort.load(ordering: .acquiring) }

  /// Binds the port and starts every loop on its own thread.
  public func start() throws {
    try state.withLock { state in
      guard case .idle = state else { throw EventHTTPError("server already started") }
      state = .running
    }
    var port = options.port
    var sharedFD: Int32 = -1
    for dispatcher in dispatchers {
      let fd: Int32
      switch options.acceptMode {
      case .reusePort:
        let socket = try ListeningSocket.make(
          host: options.host, port: port, reusePort: true, backlog: options.backlog)
        fd = socket.fd
        port = socket.port
      case .shared:
        if sharedFD < 0 {
          let socket = try ListeningSocket.make(
            host: options.host, port: port, reusePort: false, backlog: options.backlog)
          sharedFD = socket.fd
          port = socket.port
          fd = sharedFD
        } else {
          fd = dup(sharedFD)
        }
      }
      guard let bound = evhttp_accept_socket_with_handle(dispatcher.http, fd) else {
        close(fd)
        throw EventHTTPError("evhttp_accept_socket failed on port \(port)")
      }
      dispatcher.listeners.append(bound)
    }
    boundPort.store(port, ordering: .releasing)
    for loop in loops { loop.start() }
  }

  /// Stops accepting, waits until in-flight requests are answered (at most `timeout`), then
  /// stops the loops. Returns `false` when the timeout cut requests short.
  @discardableResult
  public func shutdown(timeout: Duration) async -> Bool {
    let wasRunning = state.withLock { state in
      defer { state = .stopped }
      if case .running = state { return true }
      return false
    }
    guard wasRunning else { return true }
    for dispatcher in dispatchers {
      await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        dispatcher.loop.execute {
          for bound in dispatcher.listeners { evhttp_del_accept_socket(dispatcher.http, bound) }
          dispatcher.listeners.removeAll()
          done.resume()
        }
      }
    }
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var drained = true
    while stats.inFlight.load(ordering: .acquiring) > 0 {
      if clock.now >= deadline {
        drained = false
        break
      }
      try? await Task.sleep(for: .milliseconds(5))
    }
    for loop in loops { loop.stop() }
    for loop in loops { await Self.waitOffThread(loop) }
    await observer?.close(timeout: .seconds(5))
    return drained
  }

  private static func waitOffThread(_ loop: EventLoop) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      DetachedThread.start {
        loop.waitUntilStopped()
        done.resume()
      }
    }
  }
}
