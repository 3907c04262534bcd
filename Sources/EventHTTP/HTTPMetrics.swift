import CoreMetrics

/// Per-request and per-connection metrics of a server's loops, reported through swift-metrics.
/// Labels are unprefixed; the application may namespace them in its factory.
///
/// | label | kind | dimensions |
/// | --- | --- | --- |
/// | `http_requests_total` | counter | `route`, `method`, `status` |
/// | `http_request_duration_seconds` | timer | `route` (arrival to reply handed to evhttp) |
/// | `http_open_connections` | gauge | `loop` |
///
/// `route` is the label of ``HTTPResponse/route`` in `routes`, or `unmatched`; `method` is one
/// of ``HTTPMethod/known`` or `other` (the client picks methods, not the label set).
/// A server without one builds nothing per request. Each loop keeps its own handles, found by
/// integer keys: a request costs a hash lookup, an atomic add and a histogram update.
///
/// ```swift
/// let metrics = HTTPMetrics(factory: prometheus, loops: 2, routes: ["/api/products/"])
/// let server = try HTTPServer(options: options, responder: app, metrics: metrics)
/// ```
public final class HTTPMetrics: Sendable {
  /// The bucket boundaries `http_request_duration_seconds` is meant for: 100 us to 10 s.
  public static let durationBuckets: [Duration] = [
    .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
    .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
    .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
    .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
  ]

  let factory: any MetricsFactory
  /// Route labels by ``HTTPResponse/route``; the last one is `unmatched`.
  let routes: [String]
  let loops: [LoopHandles]

  /// - Parameters:
  ///   - loops: the server's loop count (one set of handles per loop).
  ///   - routes: the label of each route index a responder sets in ``HTTPResponse/route``.
  public init(factory: any MetricsFactory, loops: Int, routes: [String]) {
    self.factory = factory
    let labels = routes + ["unmatched"]
    self.routes = labels
    self.loops = (0..<max(1, loops)).map { index in
      LoopHandles(
        connections: Gauge(
          label: "http_open_connections", dimensions: [("loop", String(index))],
          factory: factory),
        routes: labels.count)
    }
    for loop in self.loops { loop.connections.record(0) }
  }

  /// Counts an answered request. Call on the thread of loop `loop` only.
  func answered(route: Int, method: HTTPMethod, status: Int, nanoseconds: UInt64, loop: Int) {
    guard loop >= 0, loop < loops.count else { return }
    let handles = loops[loop]
    let routeIndex = route >= 0 && route < routes.count - 1 ? route : routes.count - 1
    let methodIndex = Self.index(of: method)
    let statusCode = UInt64(clamping: max(0, min(status, 999)))
    let key = UInt64(routeIndex) << 32 | UInt64(methodIndex) << 16 | statusCode
    if let counter = handles.requests[key] {
      counter.increment()
    } else {
      let counter = Counter(
        label: "http_requests_total",
        dimensions: [
          ("route", routes[routeIndex]), ("method", Self.label(methodIndex)),
          ("status", String(statusCode)),
        ], factory: factory)
      handles.requests[key] = counter
      counter.increment()
    }
    let timer: Timer
    if let existing = handles.durations[routeIndex] {
      timer = existing
    } else {
      timer = Timer(
        label: "http_request_duration_seconds", dimensions: [("route", routes[routeIndex])],
        factory: factory)
      handles.durations[routeIndex] = timer
    }
    timer.recordNanoseconds(Int64(clamping: nanoseconds))
  }

  /// Records loop `loop`'s open connections. Call on that loop's thread.
  func connections(_ count: Int, loop: Int) {
    guard loop >= 0, loop < loops.count else { return }
    loops[loop].connections.record(count)
  }

  private static func index(of method: HTTPMethod) -> Int {
    switch method {
    case .GET: 0
    case .POST: 1
    case .PUT: 2
    case .PATCH: 3
    case .DELETE: 4
    case .HEAD: 5
    case .OPTIONS: 6
    case .TRACE: 7
    case .CONNECT: 8
    case .other: 9
    }
  }

  private static func label(_ index: Int) -> String {
    index < HTTPMethod.known.count ? HTTPMethod.known[index].rawValue : "other"
  }
}

/// One loop's metric handles, created on first use.
// Used only on the thread of its loop (``HTTPMetrics/answered(route:method:status:nanoseconds:loop:)``
// is called from that loop's dispatcher); the handles themselves are thread-safe.
final class LoopHandles: @unchecked Sendable {
  let connections: Gauge
  var requests: [UInt64: Counter] = [:]
  /// By route index.
  var durations: [Timer?]

  init(connections: Gauge, routes: Int) {
    self.connections = connections
    durations = [Timer?](repeating: nil, count: routes)
  }
}
