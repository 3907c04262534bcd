import CLibevent
import EventHTTP
import Logging
import Primitives
import Storefront

/// Storefront mounted on a host's `evhttp`: an ``EventLoop`` adopting the host's base (for
/// sending replies on its thread), a ``RequestDispatcher`` on the host's evhttp, and the gate
/// that keeps abandoned handlers off the loop after close.
// `loop`, `dispatcher`, `gate` and `stats` are immutable and thread-safe. `watcher` and
// `detached` are guarded by `lock`; libevent calls (detach, the watcher's timer) happen on the
// host loop's thread, as storefront.h requires of storefront_detach and storefront_close.
final class Attachment: @unchecked Sendable {
  let loop: EventLoop
  let dispatcher: RequestDispatcher
  let gate = ReplyGate()
  let stats = HTTPStats()
  /// The attachment's access lines (`nil` when `log.access_level` is filtered out).
  let accessLog: AccessLog?
  private let lock = Locked<State>(State())

  private struct State {
    var detached = false
    var watcher: DrainWatcher?
  }

  /// Adopts `base` and installs the API's generic callback on `http` under `prefix`.
  init(
    app: StorefrontApp, logger: Logger, base: OpaquePointer, http: OpaquePointer, prefix: String
  ) throws {
    loop = try EventLoop(adopting: base)
    let accessLog = StorefrontMount.accessObserver(config: app.config, logger: logger, loops: 1)
    self.accessLog = accessLog
    dispatcher = RequestDispatcher(
      loop: loop, http: http,
      responder: GatedResponder(
        inner: StorefrontMount.responder(app: app, prefix: prefix), gate: gate),
      stats: stats, maxBodyBytes: app.config.limits.maxBodyBytes, observer: accessLog)
  }

  /// Removes the generic callback and starts watching the in-flight count; `report` runs once
  /// on the loop thread.
  func detach(
    timeout: Duration, report: @escaping (StorefrontStatus) -> Void
  ) throws(CAPIError) {
    let alreadyDetached = lock.withLock { state in
      defer { state.detached = true }
      return state.detached
    }
    if alreadyDetached { throw CAPIError(.state, "storefront_detach: already detached") }
    dispatcher.detach()
    let watcher = try DrainWatcher(
      base: loop.base, stats: stats, timeout: timeout, report: report)
    lock.withLock { $0.watcher = watcher }
  }

  /// For `storefront_close`: stops a pending drain report, parks handlers still running and
  /// writes out the access lines (blocking, bounded). Never touches the evhttp (the host has
  /// freed it by now).
  func abandon() {
    gate.close()
    let watcher = lock.withLock { state in
      defer { state.watcher = nil }
      return state.watcher
    }
    watcher?.cancel()
    accessLog?.closeBlocking(timeout: .seconds(5))
  }
}
