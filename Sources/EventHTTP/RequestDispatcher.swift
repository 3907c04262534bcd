import CLibevent
import Foundation
import Primitives

/// Connects one `evhttp` on one loop to a responder: copies each request out, runs the
/// responder, and sends the reply on the loop thread exactly once.
///
/// Used by ``HTTPServer`` for its own loops (with a ``ConnectionGuard`` in front of every
/// connection), and directly to mount a responder on an evhttp owned by a C host.
// All mutable state (`guards`, `connections`, `listeners`) is touched only on the loop
// thread, from libevent callbacks or jobs run by `loop.execute`.
public final class RequestDispatcher: @unchecked Sendable {
  public let loop: EventLoop
  public let http: OpaquePointer
  let responder: any HTTPResponder
  let stats: HTTPStats
  let observer: AccessLog?
  let metrics: HTTPMetrics?
  let maxBodyBytes: Int
  let maxConnections: Int
  let framing: RequestFraming?
  /// Connections of a host-owned evhttp (no guard), counted from their first request.
  private var connections = Set<OpaquePointer>()
  /// Guarded connections by their filter bufferevent (what evhttp calls the connection's).
  private var guards: [OpaquePointer: ConnectionGuard] = [:]
  var listeners: [OpaquePointer] = []
  private var listenersPaused = false
  private var deadlineTimer: OpaquePointer?
  private var requestIDs: RequestIDSource

  /// Installs the generic callback on `http` (which must belong to `loop.base`).
  ///
  /// - Parameters:
  ///   - maxBodyBytes: bodies above this get the responder's 413 (see ``HTTPServerOptions``).
  ///   - maxConnections: at this many open connections the loop's listeners pause accepting.
  ///   - framing: when given, every connection evhttp accepts gets a ``ConnectionGuard``
  ///     (this takes the evhttp's `bevcb`): strict HTTP/1.1 framing, a request deadline,
  ///     body memory drawn from a shared budget, and connections counted at accept.
  ///   - observer: gets an access line per reply.
  ///   - metrics: counts replies by route, method and status, their latency, and connections.
  ///   - requestIDRandom: the random part of the ids made for requests without a sane
  ///     `X-Request-Id` (see ``RequestID``); the same for every loop of a server.
  public init(
    loop: EventLoop, http: OpaquePointer, responder: any HTTPResponder, stats: HTTPStats,
    maxBodyBytes: Int, maxConnections: Int = .max, framing: RequestFraming? = nil,
    observer: AccessLog? = nil, metrics: HTTPMetrics? = nil,
    requestIDRandom: UInt32 = .random(in: .min ... .max)
  ) {
    self.loop = loop
    self.metrics = metrics
    self.requestIDs = RequestIDSource(random: requestIDRandom, loop: loop.index)
    self.http = http
    self.responder = responder
    self.stats = stats
    self.maxBodyBytes = maxBodyBytes
    self.maxConnections = maxConnections
    self.framing = framing
    self.observer = observer
    let context = Unmanaged.passUnretained(self).toOpaque()
    evhttp_set_gencb(
      http,
      { request, context in
        guard let request, let context else { return }
        Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue().handle(request)
      }, context)
    guard framing != nil else {
      evhttp_set_allowed_methods(http, HTTPMethod.allLibeventMethods)
      return
    }
    // The guard hands on unknown methods under a placeholder; let them reach the callback.
    evhttp_set_allowed_methods(
      http, HTTPMethod.allLibeventMethods | HTTPMethod.libeventUnknownMethod)
    evhttp_set_bevcb(
      http,
      { base, context in
        guard let base, let context else { return nil }
        return Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue()
          .accept(base: base)
      }, context)
    deadlineTimer = event_new(
      loop.base, -1, Int16(EV_PERSIST),
      { _, _, context in
        Unmanaged<RequestDispatcher>.fromOpaque(context!).takeUnretainedValue().enforceDeadlines()
      }, context)
    var interval = timeval(tv_sec: 0, tv_usec: 500_000)
    event_add(deadlineTimer, &interval)
    loop.onStop { [deadlineTimer] in event_free(deadlineTimer) }
  }

  /// Detaches from the evhttp (on the loop thread): later requests fall to evhttp's 404.
  public func detach() {
    evhttp_set_gencb(http, nil, nil)
  }

  // MARK: Requests

  /// What travels with a request from its arrival to its reply.
  private struct Exchange: Sendable {
    let handle: RequestHandle
    let connection: ConnectionGuard?
    let method: HTTPMethod
    let path: String
    let started: UInt64
    let reservedBytes: Int
    let requestID: RequestID
  }

  private func handle(_ raw: OpaquePointer) {
    loop.markLoopThread()
    let started = DispatchTime.now().uptimeNanoseconds
    stats.inFlight.add(1, ordering: .relaxed)
    let connection = guardOf(raw)
    let framed = connection?.nextFramed() ?? FramedRequest()
    connection?.outstanding += 1
    if connection == nil { track(connection: evhttp_request_get_connection(raw)) }
    let handle = RequestHandle(raw: raw)
    if let rejection = framed.rejection {
      let exchange = Exchange(
        handle: handle, connection: connection, method: .GET, path: "-", started: started,
        reservedBytes: framed.reservedBytes, requestID: requestIDs.id(client: nil))
      send(responder.response(for: rejection), exchange, closing: framed.closesConnection)
      return
    }
    let (request, clientID) = makeRequest(
      raw, methodOverride: framed.methodOverride, targetOverride: framed.targetOverride)
    let exchange = Exchange(
      handle: handle, connection: connection, method: request.method, path: request.path,
      started: started, reservedBytes: framed.reservedBytes,
      requestID: requestIDs.id(client: clientID))
    switch responder.respond(to: request) {
    case .now(let response):
      send(response, exchange)
    case .later(let produce):
      Task { [self] in
        let response = await produce()
        loop.execute { [self] in send(response, exchange) }
      }
    case .watched(let produce):
      let watch = ClientWatch()
      connection?.watchClose(watch)
      Task { [self] in
        let response = await produce(watch)
        loop.execute { [self] in
          connection?.unwatchClose(watch)
          send(response, exchange)
        }
      }
    }
  }

  private func guardOf(_ raw: OpaquePointer) -> ConnectionGuard? {
    guard framing != nil, let connection = evhttp_request_get_connection(raw),
      let bufferevent = evhttp_connection_get_bufferevent(connection)
    else { return nil }
    return guards[bufferevent]
  }

  /// The request, and the value of its first sane `X-Request-Id` field if any.
  private func makeRequest(
    _ raw: OpaquePointer, methodOverride: String?, targetOverride: String?
  ) -> (HTTPRequest, String?) {
    let method =
      methodOverride.flatMap(HTTPMethod.init(rawValue:))
      ?? HTTPMethod(command: evhttp_request_get_command(raw)) ?? .other("UNKNOWN")
    var path = "/"
    var query = ""
    func split(_ all: UnsafeBufferPointer<UInt8>) {
      if let mark = all.firstIndex(of: UInt8(ascii: "?")) {
        path = String(decoding: all[..<mark], as: UTF8.self)
        query = String(decoding: all[(mark + 1)...], as: UTF8.self)
      } else {
        path = String(decoding: all, as: UTF8.self)
      }
    }
    if var target = targetOverride {
      target.withUTF8 { split($0) }
    } else if let uri = evhttp_request_get_uri(raw) {
      let length = strlen(uri)
      uri.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        split(UnsafeBufferPointer(start: bytes, count: length))
      }
    }
    var headers = HTTPHeaders()
    var clientID: String?
    if let list = evhttp_request_get_input_headers(raw) {
      var entry = list.pointee.tqh_first
      while let field = entry {
        let value = String(cString: field.pointee.value)
        if clientID == nil, strcasecmp(field.pointee.key, "X-Request-Id") == 0,
          RequestID.isSane(value)
        {
          clientID = value
        }
        headers.add(String(cString: field.pointee.key), value)
        entry = field.pointee.next.tqe_next
      }
    }
    var body: [UInt8] = []
    if let buffer = evhttp_request_get_input_buffer(raw) {
      let length = evbuffer_get_length(buffer)
      if length > 0 {
        body = [UInt8](unsafeUninitializedCapacity: length) { bytes, count in
          count = Int(evbuffer_copyout(buffer, bytes.baseAddress, length))
        }
      }
    }
    var remoteAddress = ""
    if let connection = evhttp_request_get_connection(raw) {
      var address: UnsafeMutablePointer<CChar>?
      var port: UInt16 = 0
      evhttp_connection_get_peer(connection, &address, &port)
      if let address { remoteAddress = String(cString: address) }
    }
    let request = HTTPRequest(
      method: method, path: path, query: query, headers: headers, body: body,
      loopIndex: loop.index, remoteAddress: remoteAddress)
    return (request, clientID)
  }

  private func send(_ response: HTTPResponse, _ exchange: Exchange, closing: Bool = false) {
    if !loop.inLoopThread { stats.repliesOffLoop.add(1, ordering: .relaxed) }
    let raw = exchange.handle.raw
    let status = response.status
    // Content-Length is given here for every reply that may have one: evhttp adds none to a
    // HEAD reply (evhttp_response_needs_body), which has the GET's headers and no body, nor
    // to an HTTP/1.0 reply without keep-alive.
    let noContent = status == 204 || status == 304 || status < 200
    let bodiless = exchange.method == .HEAD || noContent
    let bodyCount = response.bodyCount
    if let headers = evhttp_request_get_output_headers(raw) {
      for field in response.headers { evhttp_add_header(headers, field.name, field.value) }
      if !noContent { evhttp_add_header(headers, "Content-Length", String(bodyCount)) }
      if closing { evhttp_add_header(headers, "Connection", "close") }
      _ = exchange.requestID.withCString { evhttp_add_header(headers, "X-Request-Id", $0) }
    }
    if !bodiless, bodyCount > 0, let buffer = evhttp_request_get_output_buffer(raw) {
      if !response.body.isEmpty {
        response.body.withUnsafeBytes { bytes in
          _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count)
        }
      }
      for part in response.sharedBody where !part.range.isEmpty {
        Self.addReference(part, to: buffer)
      }
    }
    evhttp_send_reply(raw, Int32(status), response.reasonPhrase, nil)
    exchange.connection?.outstanding -= 1
    framing?.budget?.release(exchange.reservedBytes)
    stats.repliesSent.add(1, ordering: .relaxed)
    stats.inFlight.subtract(1, ordering: .relaxed)
    guard observer != nil || metrics != nil else { return }
    let elapsed = DispatchTime.now().uptimeNanoseconds &- exchange.started
    metrics?.answered(
      route: response.route, method: exchange.method, status: status, nanoseconds: elapsed,
      loop: loop.index)
    observer?.record(
      method: exchange.method, path: exchange.path, status: status,
      bodyBytes: bodyCount, microseconds: Int(elapsed / 1000), loop: loop.index,
      requestID: exchange.requestID)
  }

  /// Adds `part` to `buffer` without copying it: the buffer holds a reference to its storage
  /// until libevent has sent (or dropped) those bytes.
  private static func addReference(_ part: SharedBytes.Part, to buffer: OpaquePointer) {
    let bytes = part.bytes
    let retained = Unmanaged.passRetained(part.storage).toOpaque()
    let added = evbuffer_add_reference(
      buffer, bytes.baseAddress, bytes.count,
      { _, _, storage in storage.map { Unmanaged<SharedBytes>.fromOpaque($0).release() } },
      retained)
    // On failure (out of memory) libevent has not taken the reference: give it back.
    if added != 0 { Unmanaged<SharedBytes>.fromOpaque(retained).release() }
  }

  // MARK: Guarded connections

  /// evhttp's bevcb: a new connection was accepted.
  private func accept(base: OpaquePointer) -> OpaquePointer? {
    guard let framing,
      let connection = ConnectionGuard.make(
        base: base, limits: framing.limits, budget: framing.budget,
        onClose: { [weak self] in self?.closed($0) }),
      let filter = connection.filter
    else { return nil }
    guards[filter] = connection
    stats.openConnections.add(1, ordering: .relaxed)
    metrics?.connections(guards.count, loop: loop.index)
    if guards.count >= maxConnections { pauseListeners(true) }
    return filter
  }

  private func closed(_ connection: ConnectionGuard) {
    guard let filter = connection.filter, guards.removeValue(forKey: filter) != nil else { return }
    stats.openConnections.subtract(1, ordering: .relaxed)
    metrics?.connections(guards.count, loop: loop.index)
    if guards.count < maxConnections { pauseListeners(false) }
  }

  private func enforceDeadlines() {
    guard let framing else { return }
    let now = MonotonicClock.coarseNanoseconds()
    for connection in Array(guards.values) {
      connection.enforceDeadline(
        now: now, deadline: framing.requestTimeoutNanoseconds, grace: 5_000_000_000)
    }
  }

  // MARK: Host-owned connections

  private func track(connection: OpaquePointer?) {
    guard let connection, !connections.contains(connection) else { return }
    connections.insert(connection)
    stats.openConnections.add(1, ordering: .relaxed)
    metrics?.connections(connections.count, loop: loop.index)
    evhttp_connection_set_closecb(
      connection,
      { connection, context in
        guard let connection, let context else { return }
        Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue().untrack(connection)
      }, Unmanaged.passUnretained(self).toOpaque())
    if connections.count >= maxConnections { pauseListeners(true) }
  }

  private func untrack(_ connection: OpaquePointer) {
    guard connections.remove(connection) != nil else { return }
    stats.openConnections.subtract(1, ordering: .relaxed)
    metrics?.connections(connections.count, loop: loop.index)
    if connections.count < maxConnections { pauseListeners(false) }
  }

  private func pauseListeners(_ pause: Bool) {
    guard pause != listenersPaused else { return }
    listenersPaused = pause
    for bound in listeners {
      guard let listener = evhttp_bound_socket_get_listener(bound) else { continue }
      if pause { evconnlistener_disable(listener) } else { evconnlistener_enable(listener) }
    }
  }
}

/// What a ``RequestDispatcher`` puts in front of every connection it accepts.
public struct RequestFraming: Sendable {
  let limits: RequestFramer.Limits
  /// The shared cap on request body bytes held at once, if any.
  public let budget: BodyBudget?
  let requestTimeoutNanoseconds: UInt64

  /// - Parameters:
  ///   - maxHeaderBytes: the request line and header fields together (431/414 beyond).
  ///   - maxBodyBytes: the largest body read (413 beyond, before it is read).
  ///   - requestTimeoutSeconds: from a request's first byte until it is complete (408).
  ///   - budget: body bytes held by all connections together (503 beyond).
  public init(
    maxHeaderBytes: Int, maxBodyBytes: Int, requestTimeoutSeconds: Int, budget: BodyBudget?
  ) {
    limits = RequestFramer.Limits(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    self.budget = budget
    requestTimeoutNanoseconds = UInt64(max(1, requestTimeoutSeconds)) * 1_000_000_000
  }
}

/// An `evhttp_request *` that may travel between threads but is dereferenced only on the
/// loop thread that received it.
// The pointer is only carried by other threads; every use is inside a job on its own loop.
struct RequestHandle: @unchecked Sendable {
  let raw: OpaquePointer
}
