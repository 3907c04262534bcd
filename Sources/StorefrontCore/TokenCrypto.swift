import Crypto
import Primitives

/// Token generation and digests.
enum TokenCrypto {
  /// A new token: 20 bytes from the system CSPRNG as 40 lowercase hex characters.
  static func newToken() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(20)
    for _ in 0..<20 { bytes.append(UInt8.random(in: .min ... .max, using: &generator)) }
    return Hex.string(bytes)
  }

  /// Lowercase hex SHA-256 of the token's UTF-8 bytes.
  static func digest(of token: String) -> String {
    Hex.string(SHA256.hash(data: Array(token.utf8)))
  }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
  guard lhs.count == rhs.count else { return false }
  var difference: UInt8 = 0
  for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
  return difference == 0
}
