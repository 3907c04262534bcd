import EventHTTP

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The address a request is counted against by the anonymous throttle: the peer, or, when
/// the peer is a trusted proxy, the right-most `X-Forwarded-For` entry that is not itself a
/// trusted proxy (the address the nearest trusted proxy saw). When every entry is trusted,
/// the left-most one is the client. Several `X-Forwarded-For` fields are read as one list,
/// joined with `,` as a WSGI server does.
///
/// ```swift
/// let key = ClientAddress.of(request, trusting: ["10.0.0.1"])
/// ```
enum ClientAddress {
  /// Longest key kept for an entry that is not an IP address.
  static let maxKeyBytes = 64

  /// The client address of `request`; `trusted` holds canonical addresses (``canonical(_:)``).
  static func of(_ request: HTTPRequest, trusting trusted: Set<String>) -> String {
    let peer = canonical(request.remoteAddress) ?? request.remoteAddress
    guard !trusted.isEmpty, trusted.contains(peer) else { return peer }
    var forwarded: String?
    for field in request.headers
    where HTTPHeaders.equalIgnoringASCIICase(field.name, "X-Forwarded-For") {
      forwarded = forwarded.map { $0 + "," + field.value } ?? field.value
    }
    guard let forwarded else { return peer }
    var leftmost: String?
    for entry in forwarded.split(separator: ",").reversed() {
      let trimmed = trimmed(entry)
      guard !trimmed.isEmpty else { continue }
      let address =
        canonical(trimmed) ?? String(decoding: trimmed.utf8.prefix(maxKeyBytes), as: UTF8.self)
      if !trusted.contains(address) { return address }
      leftmost = address
    }
    return leftmost ?? peer
  }

  /// The canonical text of an IPv4 or IPv6 address (`::FFFF:10.0.0.1` -> `10.0.0.1`,
  /// `0:0::1` -> `::1`), or nil when `text` is not one.
  static func canonical<Text: StringProtocol>(_ text: Text) -> String? {
    var v4 = in_addr()
    if inet_pton(AF_INET, String(text), &v4) == 1 {
      return withUnsafeBytes(of: &v4) { render(AF_INET, $0) }
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
    let bytes = withUnsafeBytes(of: &v6) { Array($0) }
    if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
      return bytes[12...].map(String.init).joined(separator: ".")
    }
    return bytes.withUnsafeBytes { render(AF_INET6, $0) }
  }

  /// `entry` without surrounding spaces and tabs.
  static func trimmed(_ entry: Substring) -> Substring {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = entry.firstIndex(where: { !blank($0) }),
      let last = entry.lastIndex(where: { !blank($0) })
    else { return "" }
    return entry[first...last]
  }

  /// `inet_ntop` of the address in `bytes` (4 or 16 bytes of `family`).
  private static func render(_ family: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var buffer = [UInt8](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let written = buffer.withUnsafeMutableBytes { text in
      inet_ntop(family, bytes.baseAddress, text.baseAddress, socklen_t(text.count)) != nil
    }
    guard written, let end = buffer.firstIndex(of: 0) else { return nil }
    return String(decoding: buffer[..<end], as: UTF8.self)
  }
}
