import CLibevent
import Foundation

/// Connects one `evhttp` on one loop to a responder: copies each request out, runs the
/// responder, and sends the reply on the loop thread exactly once.
///
/// Used by ``HTTPServer`` for its own loops, and directly to mount a responder on an evhttp
/// owned by a C host.
// All mutable state (`connections`, `listeners`) is touched only on the loop thread, from
// libevent callbacks or jobs run by `loop.execute`.
public final class RequestDispatcher: @unchecked Sendable {
  public let loop: EventLoop
  public let http: OpaquePointer
  let responder: any HTTPResponder
  let stats: HTTPStats
  let observer: AccessLog?
  let maxBodyBytes: Int
  let maxConnections: Int
  private var connections = Set<OpaquePointer>()
  var listeners: [OpaquePointer] = []
  private var listenersPaused = false

  /// Installs the generic callback on `http` (which must belong to `loop.base`).
  ///
  /// - Parameters:
  ///   - maxBodyBytes: bodies above this get the responder's 413 (see ``HTTPServerOptions``).
  ///   - maxConnections: at this many open connections the loop's listeners pause accepting.
  public init(
    loop: EventLoop, http: OpaquePointer, responder: any HTTPResponder, stats: HTTPStats,
    maxBodyBytes: Int, maxConnections: Int = .max, observer: AccessLog? = nil
  ) {
    self.loop = loop
    self.http = http
    self.responder = responder
    self.stats = stats
    self.maxBodyBytes = maxBodyBytes
    self.maxConnections = maxConnections
    self.observer = observer
    evhttp_set_allowed_methods(http, HTTPMethod.allLibeventMethods)
    evhttp_set_gencb(
      http,
      { request, context in
        guard let request, let context else { return }
        Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue().handle(request)
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  /// Detaches from the evhttp (on the loop thread): later requests fall to evhttp's 404.
  public func detach() {
    evhttp_set_gencb(http, nil, nil)
  }

  private func handle(_ raw: OpaquePointer) {
    loop.markLoopThread()
    let started = DispatchTime.now().uptimeNanoseconds
    stats.inFlight.add(1, ordering: .relaxed)
    track(connection: evhttp_request_get_connection(raw))
    let request = makeRequest(raw)
    let handle = RequestHandle(raw: raw)
    switch responder.respond(to: request) {
    case .now(let response):
      send(response, for: handle, method: request.method, path: request.path, started: started)
    case .later(let produce):
      let method = request.method
      let path = request.path
      Task { [self] in
        let response = await produce()
        loop.execute { [self] in
          send(response, for: handle, method: method, path: path, started: started)
        }
      }
    }
  }

  private func makeRequest(_ raw: OpaquePointer) -> HTTPRequest {
    let method = HTTPMethod(command: evhttp_request_get_command(raw)) ?? .GET
    var path = "/"
    var query = ""
    if let uri = evhttp_request_get_uri(raw) {
      let length = strlen(uri)
      uri.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        let all = UnsafeBufferPointer(start: bytes, count: length)
        if let mark = all.firstIndex(of: UInt8(ascii: "?")) {
          path = String(decoding: all[..<mark], as: UTF8.self)
          query = String(decoding: all[(mark + 1)...], as: UTF8.self)
        } else {
          path = String(decoding: all, as: UTF8.self)
        }
      }
    }
    var headers = HTTPHeaders()
    if let list = evhttp_request_get_input_headers(raw) {
      var entry = list.pointee.tqh_first
      while let field = entry {
        headers.add(String(cString: field.pointee.key), String(cString: field.pointee.value))
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
    return HTTPRequest(
      method: method, path: path, query: query, headers: headers, body: body,
      loopIndex: loop.index)
  }

  private func send(
    _ response: HTTPResponse, for handle: RequestHandle, method: HTTPMethod, path: String,
    started: UInt64
  ) {
    if !loop.inLoopThread { stats.repliesOffLoop.add(1, ordering: .relaxed) }
    let raw = handle.raw
    if let headers = evhttp_request_get_output_headers(raw) {
      for field in response.headers { evhttp_add_header(headers, field.name, field.value) }
    }
    if !response.body.isEmpty, let buffer = evhttp_request_get_output_buffer(raw) {
      response.body.withUnsafeBytes { bytes in
        _ = evbuffer_add(buffer, bytes.baseAddress, bytes.count)
      }
    }
    evhttp_send_reply(raw, Int32(response.status), response.reasonPhrase, nil)
    stats.repliesSent.add(1, ordering: .relaxed)
    stats.inFlight.subtract(1, ordering: .relaxed)
    if let observer {
      let elapsed = (DispatchTime.now().uptimeNanoseconds - started) / 1000
      observer.record(
        method: method, path: path, status: response.status, bodyBytes: response.body.count,
        microseconds: Int(elapsed), loop: loop.index)
    }
  }

  // MARK: Connection accounting

  private func track(connection: OpaquePointer?) {
    guard let connection, !connections.contains(connection) else { return }
    connections.insert(connection)
    stats.openConnections.add(1, ordering: .relaxed)
    evhttp_connection_set_closecb(
      connection,
      { connection, context in
        guard let connection, let context else { return }
        Unmanaged<RequestDispatcher>.fromOpaque(context).takeUnretainedValue().closed(connection)
      }, Unmanaged.passUnretained(self).toOpaque())
    if connections.count >= maxConnections { pauseListeners(true) }
  }

  private func closed(_ connection: OpaquePointer) {
    guard connections.remove(connection) != nil else { return }
    stats.openConnections.subtract(1, ordering: .relaxed)
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

/// An `evhttp_request *` that may travel between threads but is dereferenced only on the
/// loop thread that received it.
// The pointer is only carried by other threads; every use is inside a job on its own loop.
struct RequestHandle: @unchecked Sendable {
  let raw: OpaquePointer
}
