import EventHTTP
import Synchronization
import Testing

@testable import Storefront

@Suite struct ThrottleRateTests {
  @Test(
    "Rates parse as DRF's parse_rate reads them",
    arguments: [
      ("20/minute", 20, ThrottleRate.Period.minute), ("20/m", 20, .minute),
      ("20/min", 20, .minute), ("5/s", 5, .second), ("5/second", 5, .second),
      ("3/hour", 3, .hour), ("100/d", 100, .day), ("100/days", 100, .day),
      ("007/h", 7, .hour), ("100000/s", 100_000, .second),
    ])
  func parses(text: String, requests: Int, period: ThrottleRate.Period) {
    #expect(ThrottleRate(text) == ThrottleRate(requests: requests, per: period))
  }

  @Test(
    "Anything else is refused",
    arguments: [
      "", "20", "/minute", "20/", "x/minute", "20/minute ", " 20/minute", "20/week",
      "0/minute", "100001/minute", "-1/m", "20/5m", "20/Minute", "2.5/s", "20//m",
      "20/m/s", "1234567/s",
    ])
  func refuses(text: String) {
    #expect(ThrottleRate(text) == nil)
  }

  @Test func spellsItselfCanonically() {
    #expect(ThrottleRate("20/m")?.description == "20/minute")
    #expect(ThrottleRate("1/d")?.description == "1/day")
  }
}

/// A clock the test moves by hand, in nanoseconds.
final class ManualClock: Sendable {
  private let time = Atomic<Int64>(1_000_000_000_000)
  func advance(milliseconds: Int64) { time.add(milliseconds * 1_000_000, ordering: .relaxed) }
  var now: @Sendable () -> Int64 { { self.time.load(ordering: .relaxed) } }
}

@Suite struct ThrottleWindowTests {
  @Test func admitsNPerPeriodThenWaitsForTheOldest() {
    let clock = ManualClock()
    let window = ThrottleWindow(rate: ThrottleRate("3/minute")!, now: clock.now)
    #expect(window.admit("a") == nil)
    clock.advance(milliseconds: 10_000)
    #expect(window.admit("a") == nil)
    #expect(window.admit("a") == nil)
    #expect(window.admit("a") == 50)  // the oldest is 10 s old: 50 s left
    clock.advance(milliseconds: 20_500)
    #expect(window.admit("a") == 30)  // 29.5 s left, rounded up
    // Another key has its own history.
    #expect(window.admit("b") == nil)
    // Once the oldest is a full period old it no longer counts.
    clock.advance(milliseconds: 29_500)
    #expect(window.admit("a") == nil)
    #expect(window.admit("a") == 10)
  }

  @Test func refusedRequestsAreNotCounted() {
    let clock = ManualClock()
    let window = ThrottleWindow(rate: ThrottleRate("1/second")!, now: clock.now)
    #expect(window.admit("a") == nil)
    for _ in 0..<100 { #expect(window.admit("a") == 1) }
    clock.advance(milliseconds: 1000)
    #expect(window.admit("a") == nil)
  }

  @Test func theStalestKeyIsForgottenBeyondCapacity() {
    let clock = ManualClock()
    let window = ThrottleWindow(rate: ThrottleRate("1/hour")!, capacity: 2, now: clock.now)
    #expect(window.admit("a") == nil)
    #expect(window.admit("b") == nil)
    #expect(window.admit("a") != nil)  // a is now the most recently seen
    #expect(window.admit("c") == nil)  // evicts b
    #expect(window.trackedKeys == 2)
    #expect(window.admit("a") != nil)  // a was kept
    #expect(window.admit("b") == nil)  // b starts afresh (evicting c)
    #expect(window.admit("c") == nil)
    #expect(window.trackedKeys == 2)
  }

  @Test func capacityFollowsTheRate() {
    #expect(ThrottleWindow(rate: ThrottleRate("20/minute")!).capacity == 65_536)
    #expect(ThrottleWindow(rate: ThrottleRate("1000/minute")!).capacity == (1 << 21) / 1000)
    #expect(ThrottleWindow(rate: ThrottleRate("100000/day")!).capacity == 20)
  }

  @Test func theRefusalIsDRFsThrottled() {
    let one = RequestThrottle.throttled(wait: 1)
    #expect(one.status == 429)
    #expect(
      String(decoding: one.body, as: UTF8.self)
        == #"{"detail":"Request was throttled. Expected available in 1 second."}"#)
    #expect(one.headers.first { $0.name == "Retry-After" }?.value == "1")
    let many = RequestThrottle.throttled(wait: 42)
    #expect(
      String(decoding: many.body, as: UTF8.self)
        == #"{"detail":"Request was throttled. Expected available in 42 seconds."}"#)
    #expect(many.headers.first { $0.name == "Retry-After" }?.value == "42")
  }
}

@Suite struct ClientAddressTests {
  private func request(peer: String, forwarded: [String]) -> HTTPRequest {
    var headers = HTTPHeaders()
    for value in forwarded { headers.add("X-Forwarded-For", value) }
    return HTTPRequest(method: .POST, path: "/", headers: headers, remoteAddress: peer)
  }

  @Test func addressesAreCanonical() {
    #expect(ClientAddress.canonical("10.0.0.1") == "10.0.0.1")
    #expect(ClientAddress.canonical("::FFFF:10.0.0.1") == "10.0.0.1")
    #expect(ClientAddress.canonical("0:0:0:0:0:0:0:1") == "::1")
    #expect(ClientAddress.canonical("2001:DB8::1") == "2001:db8::1")
    #expect(ClientAddress.canonical("10.0.0") == nil)
    #expect(ClientAddress.canonical("unknown") == nil)
    #expect(ClientAddress.canonical("") == nil)
  }

  @Test func anUntrustedPeerIsTheClient() {
    let forged = request(peer: "192.0.2.9", forwarded: ["198.51.100.1"])
    #expect(ClientAddress.of(forged, trusting: []) == "192.0.2.9")
    #expect(ClientAddress.of(forged, trusting: ["10.0.0.1"]) == "192.0.2.9")
  }

  @Test func behindTrustedProxiesTheRightMostUntrustedEntryIsTheClient() {
    let trusted: Set = ["10.0.0.1", "10.0.0.2"]
    #expect(
      ClientAddress.of(
        request(peer: "10.0.0.1", forwarded: ["203.0.113.5, 198.51.100.7 , 10.0.0.2"]),
        trusting: trusted) == "198.51.100.7")
    // Two fields read as one list.
    #expect(
      ClientAddress.of(
        request(peer: "10.0.0.1", forwarded: ["203.0.113.5", "198.51.100.7,10.0.0.2"]),
        trusting: trusted) == "198.51.100.7")
    // Every entry trusted: the left-most.
    #expect(
      ClientAddress.of(
        request(peer: "10.0.0.1", forwarded: ["10.0.0.2, 10.0.0.1"]), trusting: trusted)
        == "10.0.0.2")
    // No header: the proxy itself.
    #expect(
      ClientAddress.of(request(peer: "10.0.0.1", forwarded: []), trusting: trusted) == "10.0.0.1")
    // A mapped peer address is the IPv4 one; entries are canonical too.
    #expect(
      ClientAddress.of(
        request(peer: "::ffff:10.0.0.1", forwarded: ["2001:DB8::7"]), trusting: trusted)
        == "2001:db8::7")
    // A non-address entry is a key of bounded length.
    let long = String(repeating: "x", count: 500)
    #expect(
      ClientAddress.of(request(peer: "10.0.0.1", forwarded: [long]), trusting: trusted)
        == String(repeating: "x", count: ClientAddress.maxKeyBytes))
  }
}

@Suite struct ThrottleConfigurationTests {
  private func load(_ environment: [String: String]) async throws -> StorefrontConfig {
    let directory = try TemporaryDirectory()
    return try await StorefrontConfig.load(
      configPath: nil, defaultPath: directory.absent(), environment: environment, overrides: [:])
  }

  @Test func offByDefault() {
    let config = StorefrontConfig()
    #expect(config.throttle.anon == nil)
    #expect(config.throttle.user == nil)
    #expect(config.throttle.trustedProxies.isEmpty)
    #expect(config.auth.maxPendingHashes == 64)
  }

  @Test func ratesAndProxiesLoad() async throws {
    let config = try await load([
      "STOREFRONT_THROTTLE_ANON": "20/min", "STOREFRONT_THROTTLE_USER": "1000/hour",
      "STOREFRONT_THROTTLE_TRUSTED_PROXIES": " 127.0.0.1, ::FFFF:10.0.0.1 ,::1",
      "STOREFRONT_AUTH_MAX_PENDING_HASHES": "8",
    ])
    #expect(config.throttle.anon == ThrottleRate(requests: 20, per: .minute))
    #expect(config.throttle.user == ThrottleRate(requests: 1000, per: .hour))
    #expect(config.throttle.trustedProxies == ["127.0.0.1", "10.0.0.1", "::1"])
    #expect(config.auth.maxPendingHashes == 8)
  }

  @Test(
    "Bad values name the key",
    arguments: [
      ("STOREFRONT_THROTTLE_ANON", "20/fortnight", "throttle.anon"),
      ("STOREFRONT_THROTTLE_USER", "lots", "throttle.user"),
      ("STOREFRONT_THROTTLE_TRUSTED_PROXIES", "10.0.0.1,,10.0.0.2", "throttle.trusted_proxies"),
      ("STOREFRONT_THROTTLE_TRUSTED_PROXIES", "10.0.0.0/8", "throttle.trusted_proxies"),
      ("STOREFRONT_AUTH_MAX_PENDING_HASHES", "0", "auth.max_pending_hashes"),
    ])
  func badValues(variable: String, value: String, key: String) async throws {
    do {
      _ = try await load([variable: value])
      Issue.record("\(variable)=\(value) was accepted")
    } catch let error as ConfigurationError {
      #expect(error.description.hasPrefix("configuration error: \(key): expected "))
    }
  }
}
