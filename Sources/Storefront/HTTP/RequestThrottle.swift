import EventHTTP
import StorefrontCore
import Synchronization

/// API.md's throttling, as DRF's `AnonRateThrottle` and `UserRateThrottle`: `throttle.anon`
/// per client address (``ClientAddress``) on the views that take no credentials (register,
/// login), `throttle.user` per user on every request authenticated with a token. Off (nil
/// rates) by default. Checked after authentication and permissions, as DRF does, and before
/// the view's work (so before any password hashing).
///
/// ```swift
/// if let refusal = throttle.refusal(route.permission, request, user) { return refusal }
/// ```
final class RequestThrottle: Sendable {
  private let anon: ThrottleWindow?
  private let user: ThrottleWindow?
  private let trustedProxies: Set<String>
  private let refusals = Atomic<Int>(0)
  private let anonRefusals = Atomic<Int>(0)

  init(_ config: StorefrontConfig.Throttle) {
    anon = config.anon.map { ThrottleWindow(rate: $0) }
    user = config.user.map { ThrottleWindow(rate: $0) }
    trustedProxies = Set(config.trustedProxies)
  }

  /// Requests refused with 429 so far.
  var refusedRequests: Int { refusals.load(ordering: .relaxed) }
  /// Of ``refusedRequests``, those refused by `throttle.anon` (the others by `throttle.user`).
  var refusedAnonymousRequests: Int { anonRefusals.load(ordering: .relaxed) }

  /// The 429 for a request over its rate, or nil (the request is counted) when it may go on.
  func refusal(_ permission: Permission, _ request: HTTPRequest, _ caller: User?) -> HTTPResponse? {
    let wait: Int?
    if let caller {
      guard let user else { return nil }
      wait = user.admit(String(caller.id))
    } else if permission == .noCredentials, let anon {
      wait = anon.admit(ClientAddress.of(request, trusting: trustedProxies))
    } else {
      return nil
    }
    guard let wait else { return nil }
    refusals.add(1, ordering: .relaxed)
    if caller == nil { anonRefusals.add(1, ordering: .relaxed) }
    return Self.throttled(wait: wait)
  }

  /// DRF's `Throttled(wait)`: 429, its detail (singular for one second, as DRF's `ngettext`)
  /// and `Retry-After`.
  static func throttled(wait: Int) -> HTTPResponse {
    let unit = wait == 1 ? "second" : "seconds"
    return JSONResponse.detail(
      429, "Request was throttled. Expected available in \(wait) \(unit).",
      headers: ["Retry-After": String(wait)])
  }
}
