extension StorefrontConfig {
  /// Request throttling (`throttle.*`), off by default as in DRF.
  public struct Throttle: Sendable, Equatable {
    /// `throttle.anon`: requests per client address to register and login, e.g. `20/minute`;
    /// nil (`""` in the file) for no limit.
    public var anon: ThrottleRate? = nil
    /// `throttle.user`: requests per authenticated user, e.g. `1000/minute`; nil (`""`) for no
    /// limit.
    public var user: ThrottleRate? = nil
    /// `throttle.trusted_proxies`: peer addresses (canonical IPs) whose `X-Forwarded-For` names
    /// the client; comma-separated in the file.
    public var trustedProxies: [String] = []

    /// The most addresses `throttle.trusted_proxies` may hold.
    static let maxProxies = 1024

    /// Comma-separated IPv4/IPv6 addresses (spaces around commas allowed, at most
    /// ``maxProxies``) in canonical form; `[]` for `""`, nil when an entry is no address.
    static func parseProxies(_ text: String) -> [String]? {
      if ClientAddress.trimmed(text[...]).isEmpty { return [] }
      let entries = text.split(separator: ",", omittingEmptySubsequences: false)
      guard entries.count <= maxProxies else { return nil }
      var addresses: [String] = []
      for entry in entries {
        guard let address = ClientAddress.canonical(ClientAddress.trimmed(entry)) else {
          return nil
        }
        addresses.append(address)
      }
      return addresses
    }
  }
}
