import CLibevent
import EventHTTP

/// Watches, on the host's loop, for a detached Storefront to have answered every request it
/// received, then reports once: `STOREFRONT_OK`, or `STOREFRONT_ERR_TIMEOUT` at the deadline.
///
/// A persistent 10 ms timer on the host's base checks the in-flight count; the report therefore
/// always comes from a later loop iteration, never from inside `storefront_detach`.
// Touched only on the host loop's thread: created by storefront_detach, ticked by libevent on
// that loop, cancelled by storefront_close (on that thread or after the loop returned).
final class DrainWatcher: @unchecked Sendable {
  private let stats: HTTPStats
  private let deadline: ContinuousClock.Instant
  private let report: (StorefrontStatus) -> Void
  private var timer: OpaquePointer?

  /// Starts watching on `base`; `report` runs at most once, on the loop thread.
  init(
    base: OpaquePointer, stats: HTTPStats, timeout: Duration,
    report: @escaping (StorefrontStatus) -> Void
  ) throws(CAPIError) {
    self.stats = stats
    self.deadline = ContinuousClock.now.advanced(by: timeout)
    self.report = report
    timer = event_new(
      base, -1, Int16(EV_PERSIST),
      { _, _, context in
        guard let context else { return }
        Unmanaged<DrainWatcher>.fromOpaque(context).takeUnretainedValue().tick()
      }, Unmanaged.passUnretained(self).toOpaque())
    guard let timer else { throw CAPIError(.event, "storefront_detach: event_new failed") }
    var interval = timeval(tv_sec: 0, tv_usec: 10_000)
    guard event_add(timer, &interval) == 0 else {
      cancel()
      throw CAPIError(.event, "storefront_detach: event_add failed")
    }
  }

  deinit { cancel() }

  private func tick() {
    if stats.inFlight.load(ordering: .acquiring) == 0 {
      finish(.ok)
    } else if ContinuousClock.now >= deadline {
      finish(.timeout)
    }
  }

  private func finish(_ status: StorefrontStatus) {
    cancel()
    report(status)
  }

  /// Removes the timer; no report comes after this.
  func cancel() {
    guard let timer else { return }
    event_free(timer)
    self.timer = nil
  }
}
