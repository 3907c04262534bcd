import Crypto
import CryptoExtras

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Django's `PBKDF2PasswordHasher`: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, with a
/// 32-byte PBKDF2-HMAC-SHA256 derived key and a 22-character alphanumeric salt, so hashes move
/// between this server and a Django deployment both ways.
///
/// These calls are CPU-bound (about a second at 1,000,000 iterations): run them through
/// `PasswordHasher`, which uses the `HashingPool`, never on an event loop or actor.
public enum DjangoPBKDF2 {
  /// The algorithm prefix.
  public static let algorithm = "pbkdf2_sha256"
  /// Current Django's default iteration count.
  public static let defaultIterations = 1_000_000

  private static let saltAlphabet = Array(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

  /// A random 22-character salt from `[a-zA-Z0-9]` (about 131 bits), as Django makes them.
  public static func newSalt() -> String {
    var generator = SystemRandomNumberGenerator()
    let characters = (0..<22).map { _ in saltAlphabet.randomElement(using: &generator)! }
    return String(decoding: characters, as: UTF8.self)
  }

  /// The encoded hash of `password`.
  public static func encode(password: String, salt: String, iterations: Int) -> String {
    "\(algorithm)$\(iterations)$\(salt)$\(base64Hash(password: password, salt: salt, iterations: iterations))"
  }

  /// Whether `password` matches `encoded`, using the iterations and salt stored in it.
  /// A malformed or foreign hash never matches.
  public static func verify(password: String, encoded: String) -> Bool {
    let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == algorithm, let iterations = Int(parts[1]),
      iterations > 0, !parts[2].isEmpty
    else { return false }
    let computed = base64Hash(password: password, salt: String(parts[2]), iterations: iterations)
    return constantTimeEquals(Array(computed.utf8), Array(parts[3].utf8))
  }

  /// The iteration count stored in `encoded`, if it is one of ours.
  public static func iterations(of encoded: String) -> Int? {
    let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == algorithm else { return nil }
    return Int(parts[1])
  }

  static func base64Hash(password: String, salt: String, iterations: Int) -> String {
    let key: SymmetricKey
    do {
      key = try KDF.Insecure.PBKDF2.deriveKey(
        from: Array(password.utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: 32,
        unsafeUncheckedRounds: iterations)
    } catch {
      // BoringSSL's PBKDF2 fails only on allocation failure or invalid parameters, which the
      // callers exclude (iterations > 0, 32-byte output).
      fatalError("PBKDF2 failed: \(error)")
    }
    // Standard base64 with padding (RFC 4648 §4), as Python's `base64.b64encode`.
    return key.withUnsafeBytes { Data($0).base64EncodedString() }
  }
}
