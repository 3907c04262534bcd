import CLibevent
import Primitives

#if canImport(Glibc)
  import Glibc
#endif

/// The framing guard of one accepted connection: a libevent filter between the socket and
/// evhttp that runs every incoming byte through a ``RequestFramer``.
///
/// evhttp is given the filter bufferevent (through `evhttp_set_bevcb`), so it only ever
/// parses complete, canonical requests; the guard keeps, in order, what it decided about
/// each one (``nextFramed()``), and when the request deadline passes it replaces the
/// incomplete request with a refused one (`408`).
///
/// ```text
/// socket -> underlying bufferevent -> [guard: RequestFramer] -> filter bufferevent -> evhttp
/// ```
// Confined to its loop thread: created in evhttp's bevcb, used from libevent callbacks and
// loop jobs only; other threads merely carry references (in request tasks) back to the loop.
final class ConnectionGuard: @unchecked Sendable {
  /// The socket bufferevent (freed by the filter, which owns it).
  let underlying: OpaquePointer
  /// The filter bufferevent evhttp uses; nil once libevent has destroyed it.
  private(set) var filter: OpaquePointer?

  /// The filter while evhttp still owns it. After `bufferevent_free` the filter lives on
  /// until libevent finalizes it (then ``closed()`` runs), and must not be touched: flushing
  /// or triggering it would take its reference count from 0 back up and free it twice.
  /// `bufferevent_free` clears its callbacks, and evhttp always sets an event callback.
  private var liveFilter: OpaquePointer? {
    guard let filter else { return nil }
    var eventCallback: bufferevent_event_cb?
    bufferevent_getcb(filter, nil, nil, &eventCallback, nil)
    return eventCallback == nil ? nil : filter
  }
  private var framer: RequestFramer
  /// Decisions about requests handed to evhttp and not yet taken by the dispatcher.
  private var pending: [FramedRequest] = []
  private var pendingHead = 0
  /// When the incomplete request started (monotonic ns), or 0.
  private(set) var requestStartedAt: UInt64 = 0
  /// When the guard refused a request for its deadline (monotonic ns), or 0.
  private(set) var expiredAt: UInt64 = 0
  /// Requests taken by the dispatcher and not yet answered.
  var outstanding = 0
  private let budget: BodyBudget?
  private var base: OpaquePointer?
  /// Fires when the socket can take more of a response the kernel refused earlier.
  private var writableEvent: OpaquePointer?
  /// Runs a flush of the filter's output right after the callback that filled it.
  private var flushEvent: OpaquePointer?
  private var writeFailed = false
  /// Fires when the client closes while ``closeWatches`` wait for replies.
  private var closeEvent: OpaquePointer?
  private var closeWatches: [ClientWatch] = []
  /// Scratch for `evbuffer_peek` (input and output run one at a time on the loop thread).
  private let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: vectorCount)
  private static let vectorCount = 16
  /// Called once, when libevent frees the connection.
  private let onClose: (ConnectionGuard) -> Void

  private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

  /// Creates the socket and filter bufferevents for a new connection on `base`; nil when
  /// libevent cannot allocate them. The guard lives until libevent frees the filter.
  static func make(
    base: OpaquePointer, limits: RequestFramer.Limits, budget: BodyBudget?,
    onClose: @escaping (ConnectionGuard) -> Void
  ) -> ConnectionGuard? {
    // Both close-on-free: the filter frees the socket bufferevent, which closes the
    // descriptor after removing its events (evhttp then only shuts the socket down).
    let options = Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)
    guard let underlying = bufferevent_socket_new(base, -1, options) else { return nil }
    let connection = ConnectionGuard(
      underlying: underlying, limits: limits, budget: budget, onClose: onClose)
    connection.base = base
    let context = Unmanaged.passRetained(connection).toOpaque()
    guard
      let filter = bufferevent_filter_new(
        underlying, guardInputFilter, guardOutputFilter, options, guardFreeContext, context)
    else {
      Unmanaged<ConnectionGuard>.fromOpaque(context).release()
      bufferevent_free(underlying)
      return nil
    }
    // Everything is written by `filterOutput`. Left enabled, the socket bufferevent's write
    // callback would run the filter's output processing without holding a reference on the
    // filter; evhttp freeing the connection from inside it then makes libevent re-arm a
    // timeout of the freed filter (a use after free, seen as heap corruption).
    bufferevent_disable(underlying, Int16(EV_WRITE))
    connection.filter = filter
    connection.watchOutput()
    return connection
  }

  private init(
    underlying: OpaquePointer, limits: RequestFramer.Limits, budget: BodyBudget?,
    onClose: @escaping (ConnectionGuard) -> Void
  ) {
    self.underlying = underlying
    self.framer = RequestFramer(limits: limits, budget: budget)
    self.budget = budget
    self.onClose = onClose
  }

  deinit { vectors.deallocate() }

  /// What the guard decided about the next request evhttp hands to the generic callback.
  func nextFramed() -> FramedRequest {
    guard pendingHead < pending.count else { return FramedRequest() }
    let framed = pending[pendingHead]
    pendingHead += 1
    if pendingHead == pending.count {
      pending.removeAll(keepingCapacity: true)
      pendingHead = 0
    }
    return framed
  }

  // MARK: Input

  /// The filter's input function: feeds everything that arrived to the framer and moves the
  /// completed requests to evhttp's buffer.
  fileprivate func filterInput(
    _ source: OpaquePointer, _ destination: OpaquePointer
  ) -> bufferevent_filter_result {
    while evbuffer_get_length(source) > 0 {
      let count = Int(evbuffer_peek(source, -1, nil, vectors, Int32(Self.vectorCount)))
      var consumed = 0
      for index in 0..<min(count, Self.vectorCount) {
        let vector = vectors[index]
        framer.feed(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len))
        consumed += vector.iov_len
      }
      evbuffer_drain(source, consumed)
    }
    let produced = flushFramed(into: destination)
    let now = MonotonicClock.coarseNanoseconds()
    if !framer.isMidRequest {
      requestStartedAt = 0
    } else if produced || requestStartedAt == 0 {
      requestStartedAt = now
    }
    if framer.continueWanted {
      sendContinueIfInOrder()
      framer.clearOutput()
    }
    return produced ? BEV_OK : BEV_NEED_MORE
  }

  /// Moves the framer's output to `destination`; whether there was any.
  private func flushFramed(into destination: OpaquePointer) -> Bool {
    guard !framer.framed.isEmpty else { return false }
    framer.output.withUnsafeBytes { bytes in
      _ = evbuffer_add(destination, bytes.baseAddress, bytes.count)
    }
    pending.append(contentsOf: framer.framed)
    framer.clearOutput()
    return true
  }

  /// `100 Continue` goes out only when nothing is still to be answered on the connection
  /// (a reply written later would come before it otherwise).
  private func sendContinueIfInOrder() {
    guard outstanding == 0, pendingHead == pending.count, let filter = liveFilter,
      evbuffer_get_length(bufferevent_get_output(filter)) == 0
    else { return }
    // Best effort: a client that gets no 100 sends its body after a short wait anyway.
    let fd = bufferevent_getfd(underlying)
    guard fd >= 0 else { return }
    Self.continueLine.withUnsafeBytes { bytes in
      _ = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
    }
  }

  // MARK: Output

  /// The filter's output function: writes evhttp's output straight to the socket.
  ///
  /// Bytes leave evhttp's buffer only once the kernel has taken them, so evhttp's "written"
  /// means sent: when it then closes the connection (`Connection: close`, a rejection) it
  /// shuts down and frees nothing that is still unsent. What the socket does not take now
  /// stays in evhttp's buffer (so a client that does not read holds one response at most)
  /// and goes out when the socket is writable again.
  fileprivate func filterOutput(_ source: OpaquePointer) -> bufferevent_filter_result {
    if writeFailed {
      evbuffer_drain(source, evbuffer_get_length(source))
      return BEV_ERROR
    }
    let fd = bufferevent_getfd(underlying)
    guard fd >= 0 else { return BEV_NEED_MORE }
    switch send(source, to: fd) {
    case .sent(let any):
      return any ? BEV_OK : BEV_NEED_MORE
    case .wouldBlock(let any):
      waitUntilWritable(fd)
      return any ? BEV_OK : BEV_NEED_MORE
    case .failed:
      writeFailed = true
      evbuffer_drain(source, evbuffer_get_length(source))
      if let filter = liveFilter {
        // Deferred: evhttp is inside its own write call here.
        bufferevent_trigger_event(
          filter, Int16(BEV_EVENT_WRITING | BEV_EVENT_ERROR),
          Int32(BEV_TRIG_DEFER_CALLBACKS.rawValue))
      }
      return BEV_ERROR
    }
  }

  private enum SendResult {
    case sent(any: Bool)
    case wouldBlock(any: Bool)
    case failed
  }

  /// Sends what `buffer` holds (without SIGPIPE), draining what was sent.
  private func send(_ buffer: OpaquePointer, to fd: Int32) -> SendResult {
    var any = false
    while evbuffer_get_length(buffer) > 0 {
      let count = min(
        Self.vectorCount, Int(evbuffer_peek(buffer, -1, nil, vectors, Int32(Self.vectorCount))))
      var message = msghdr()
      message.msg_iov = vectors
      message.msg_iovlen = count
      let sent = sendmsg(fd, &message, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
      if sent > 0 {
        evbuffer_drain(buffer, sent)
        any = true
      } else if sent < 0, errno == EINTR {
        continue
      } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
        return .wouldBlock(any: any)
      } else {
        return .failed
      }
    }
    return .sent(any: any)
  }

  /// evhttp adds a response to the filter's output while writing is still disabled, then
  /// enables it; libevent's filter does not look at the output again on enable. So each
  /// addition schedules a flush for right after the current callback (no system call).
  private func watchOutput() {
    guard let filter else { return }
    flushEvent = newEvent(-1, 0)
    evbuffer_add_cb(
      bufferevent_get_output(filter),
      { _, info, context in
        guard let info, info.pointee.n_added > 0, let context else { return }
        let connection = Unmanaged<ConnectionGuard>.fromOpaque(context).takeUnretainedValue()
        if let flushEvent = connection.flushEvent,
          event_pending(flushEvent, Int16(EV_TIMEOUT), nil) == 0
        {
          event_active(flushEvent, Int32(EV_WRITE), 0)
        }
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  private func resumeOutput() {
    if let filter = liveFilter { bufferevent_flush(filter, Int16(EV_WRITE), BEV_NORMAL) }
  }

  /// A new event on `fd` for `events` (none: only activated by hand), for this guard: an
  /// `EV_CLOSED` one reports the client gone (``clientClosed()``), any other resumes output.
  private func newEvent(_ fd: Int32, _ events: Int32) -> OpaquePointer? {
    event_new(
      base, fd, Int16(events),
      { _, fired, context in
        let connection = Unmanaged<ConnectionGuard>.fromOpaque(context!).takeUnretainedValue()
        if fired & Int16(EV_CLOSED) != 0 {
          connection.clientClosed()
        } else {
          connection.resumeOutput()
        }
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  /// Arms a one-shot write event that resumes ``filterOutput(_:)``.
  private func waitUntilWritable(_ fd: Int32) {
    if writableEvent == nil {
      writableEvent = newEvent(fd, EV_WRITE)
    }
    event_add(writableEvent, nil)
  }

  // MARK: Client close

  /// Marks `watch` gone when the client closes the connection (or at once if it is closed).
  func watchClose(_ watch: ClientWatch) {
    guard liveFilter != nil else {
      watch.markGone()
      return
    }
    let fd = bufferevent_getfd(underlying)
    guard fd >= 0 else { return }
    closeWatches.append(watch)
    if closeEvent == nil {
      closeEvent = newEvent(fd, EV_CLOSED)
    }
    if closeWatches.count == 1 { event_add(closeEvent, nil) }
  }

  /// Stops watching for `watch` (its request is being answered).
  func unwatchClose(_ watch: ClientWatch) {
    guard let index = closeWatches.firstIndex(where: { $0 === watch }) else { return }
    closeWatches.remove(at: index)
    if closeWatches.isEmpty, let closeEvent { event_del(closeEvent) }
  }

  private func clientClosed() {
    for watch in closeWatches { watch.markGone() }
    closeWatches.removeAll()
  }

  // MARK: Deadline

  /// Refuses the incomplete request whose deadline passed with `408`: evhttp gets the
  /// stand-in request now (or after the request it is busy with), and the connection closes
  /// after the reply. If that does not happen within `grace`, the connection is dropped.
  func enforceDeadline(now: UInt64, deadline: UInt64, grace: UInt64) {
    guard let filter = liveFilter else { return }
    if expiredAt != 0 {
      if now &- expiredAt > grace {
        // evhttp's own timeout path: it frees the connection (a request still being
        // answered is detached first and freed by its reply).
        bufferevent_trigger_event(filter, Int16(BEV_EVENT_READING | BEV_EVENT_TIMEOUT), 0)
      }
      return
    }
    guard requestStartedAt != 0, now &- requestStartedAt > deadline else { return }
    switch framer.expire() {
    case .idle: return
    case .close: expiredAt = now &- grace &- 1
    case .refused: expiredAt = now
    }
    requestStartedAt = 0
    if flushFramed(into: bufferevent_get_input(filter)) {
      bufferevent_trigger(filter, Int16(EV_READ), 0)
    }
  }

  // MARK: Close

  /// libevent is freeing the connection: give back what it held.
  fileprivate func closed() {
    onClose(self)
    filter = nil
    if let writableEvent { event_free(writableEvent) }
    if let flushEvent { event_free(flushEvent) }
    if let closeEvent { event_free(closeEvent) }
    closeEvent = nil
    clientClosed()
    writableEvent = nil
    flushEvent = nil
    var held = framer.reservedByPartialRequest
    for framed in pending[pendingHead...] { held += framed.reservedBytes }
    pending.removeAll()
    pendingHead = 0
    budget?.release(held)
  }
}

/// The filter's input callback: hands libevent's buffers to the connection's guard.
private let guardInputFilter: bufferevent_filter_cb = { source, destination, _, _, context in
  guard let source, let destination, let context else { return BEV_ERROR }
  return Unmanaged<ConnectionGuard>.fromOpaque(context).takeUnretainedValue().filterInput(
    source, destination)
}

/// The filter's output callback: writes evhttp's output to the connection's socket.
private let guardOutputFilter: bufferevent_filter_cb = { source, _, _, _, context in
  guard let source, let context else { return BEV_ERROR }
  return Unmanaged<ConnectionGuard>.fromOpaque(context).takeUnretainedValue().filterOutput(source)
}

/// Runs when libevent destroys the filter: releases the guard's retain from `make`.
private let guardFreeContext: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
  guard let context else { return }
  Unmanaged<ConnectionGuard>.fromOpaque(context).takeRetainedValue().closed()
}
