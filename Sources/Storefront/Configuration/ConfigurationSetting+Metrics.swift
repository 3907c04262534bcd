/// Settings of `metrics.*`: a path and an optional listen address.
extension ConfigurationSetting {
  /// `metrics.path`: ``StorefrontConfig/Metrics/isValidPath(_:)``.
  static func metricsPath(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .formatted(example: "/internal/metrics"),
      expectation:
        "a path starting with \"/\" (at most 256 printable ASCII bytes, no spaces, \"?\" or "
        + "\"#\", outside /api/), or \"\" to turn metrics off",
      assign: { config, value in
        guard case .text(let text) = value, StorefrontConfig.Metrics.isValidPath(text) else {
          return false
        }
        config[keyPath: field] = text
        return true
      },
      read: { .text($0[keyPath: field]) })
  }

  /// `metrics.listen`: `""` or `HOST:PORT`, kept with the host in canonical form.
  static func listenAddress(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .formatted(example: "127.0.0.1:9100"),
      expectation:
        "\"HOST:PORT\" with an IP address (IPv6 in brackets) and a port from 0 to 65535, or \"\"",
      assign: { config, value in
        guard case .text(let text) = value else { return false }
        if text.isEmpty {
          config[keyPath: field] = ""
          return true
        }
        guard let (host, port) = StorefrontConfig.Metrics.parseListen(text) else { return false }
        config[keyPath: field] = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return true
      },
      read: { .text($0[keyPath: field]) })
  }
}
