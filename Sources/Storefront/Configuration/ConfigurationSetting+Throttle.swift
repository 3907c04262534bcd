/// Settings whose values are strings of a checked format: rates and address lists.
extension ConfigurationSetting {
  /// A ``ThrottleRate`` such as `"20/minute"`, or `""` for none.
  static func rate(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, ThrottleRate?> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .formatted(example: "20/minute"),
      expectation:
        "a rate like \"20/minute\" (N per second, minute, hour or day; N from 1 to "
        + "\(ThrottleRate.maxRequests)), or \"\" for none",
      assign: { config, value in
        guard case .text(let text) = value else { return false }
        if text.isEmpty {
          config[keyPath: field] = nil
          return true
        }
        guard let rate = ThrottleRate(text) else { return false }
        config[keyPath: field] = rate
        return true
      },
      read: { .text($0[keyPath: field]?.description ?? "") })
  }

  /// A comma-separated list of IPv4/IPv6 addresses (spaces around commas allowed, at most
  /// ``maxAddresses``), or `""` for none; kept in canonical form.
  static func addresses(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, [String]> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .formatted(example: "127.0.0.1,::1"),
      expectation:
        "comma-separated IP addresses (at most \(maxAddresses)), or \"\" for none",
      assign: { config, value in
        guard case .text(let text) = value else { return false }
        var addresses: [String] = []
        if !ClientAddress.trimmed(text[...]).isEmpty {
          for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let address = ClientAddress.canonical(ClientAddress.trimmed(entry)) else {
              return false
            }
            addresses.append(address)
          }
        }
        guard addresses.count <= maxAddresses else { return false }
        config[keyPath: field] = addresses
        return true
      },
      read: { .text($0[keyPath: field].joined(separator: ",")) })
  }

  /// The most addresses an address list may hold.
  static let maxAddresses = 1024
}
