extension StorefrontConfig {
  /// Prometheus metrics (`metrics.*`).
  public struct Metrics: Sendable, Equatable {
    /// `metrics.path`: where `GET` answers the metrics in Prometheus text format; `""` turns
    /// metrics off (nothing is counted). Outside the API's `/api/`.
    public var path: String = "/metrics"
    /// `metrics.listen`: `""` to serve ``path`` on the API's port, or `"HOST:PORT"` (an IP
    /// address, IPv6 in brackets) for a listener of its own that answers only ``path``.
    public var listen: String = ""

    /// Whether metrics are collected at all.
    public var isEnabled: Bool { !path.isEmpty }

    /// ``listen`` split into host and port, or nil when it is `""`.
    public var listenAddress: (host: String, port: Int)? {
      Self.parseListen(listen)
    }

    /// `HOST:PORT` (`[v6]:PORT` for IPv6) as (canonical host, port), or nil.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      var host = text[..<colon]
      let portText = text[text.index(after: colon)...]
      guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII),
        let port = Int(portText), (0...65_535).contains(port)
      else { return nil }
      if host.hasPrefix("[") {
        guard host.hasSuffix("]") else { return nil }
        host = host.dropFirst().dropLast()
        guard host.contains(":") else { return nil }
      } else if host.contains(":") {
        return nil
      }
      guard let canonical = ClientAddress.canonical(host) else { return nil }
      return (canonical, port)
    }

    /// `""`, or `HOST:PORT` with the host in canonical form (`[v6]:PORT` for IPv6); nil when
    /// `text` is neither.
    static func canonicalListen(_ text: String) -> String? {
      if text.isEmpty { return "" }
      guard let (host, port) = parseListen(text) else { return nil }
      return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether `path` may be the metrics path: `""`, or `/` and up to 255 more printable
    /// ASCII bytes without `?`, `#` or spaces, outside `/api` and `/api/...`.
    static func isValidPath(_ path: String) -> Bool {
      if path.isEmpty { return true }
      let bytes = path.utf8
      guard bytes.first == UInt8(ascii: "/"), bytes.count <= 256,
        bytes.allSatisfy({
          $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        })
      else { return false }
      let api = StorefrontServer.prefix
      return path != api && !path.hasPrefix(api + "/")
    }
  }
}
