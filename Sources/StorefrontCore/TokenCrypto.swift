import Crypto

/// Token generation and digests.
enum TokenCrypto {
  private static let hex = Array("0123456789abcdef".utf8)

  /// A new token: 20 bytes from the system CSPRNG as 40 lowercase hex characters.
  static func newToken() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(20)
    for _ in 0..<20 { bytes.append(UInt8.random(in: .min ... .max, using: &generator)) }
    return hexString(bytes)
  }

  /// Lowercase hex SHA-256 of the token's UTF-8 bytes.
  static func digest(of token: String) -> String {
    hexString(Array(SHA256.hash(data: Array(token.utf8))))
  }

  static func hexString(_ bytes: some Sequence<UInt8>) -> String {
    var output: [UInt8] = []
    for byte in bytes {
      output.append(hex[Int(byte >> 4)])
      output.append(hex[Int(byte & 0x0F)])
    }
    return String(decoding: output, as: UTF8.self)
  }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
  guard lhs.count == rhs.count else { return false }
  var difference: UInt8 = 0
  for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
  return difference == 0
}
