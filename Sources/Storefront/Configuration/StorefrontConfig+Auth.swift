import Foundation

extension StorefrontConfig {
  /// Password hashing and tokens (`auth.*`).
  public struct Auth: Sendable, Equatable {
    /// `auth.pbkdf2_iterations`: PBKDF2-HMAC-SHA256 iterations for new password hashes.
    public var pbkdf2Iterations: Int = 1_000_000
    /// `auth.token_ttl_seconds`: token lifetime, `0` for tokens that never expire.
    public var tokenTTLSeconds: Int = 0
    /// `auth.max_tokens_per_user`: live tokens kept per user; issuing one more revokes the oldest.
    public var maxTokensPerUser: Int = 100
    /// `auth.hash_threads`: threads that hash passwords, `0` for one per core (see
    /// ``resolvedHashThreads``).
    public var hashThreads: Int = 0
    /// `auth.max_pending_hashes`: password hashes that may wait for a hashing thread; a
    /// register or login beyond it gets 503 with `Retry-After: 1`.
    public var maxPendingHashes: Int = 64

    /// The number of hashing threads: ``hashThreads``, or the number of active cores when `0`.
    public var resolvedHashThreads: Int {
      hashThreads > 0 ? hashThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
  }
}
