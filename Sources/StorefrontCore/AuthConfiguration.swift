/// Settings of `AuthService` (from `auth.*` in the configuration).
public struct AuthConfiguration: Sendable, Equatable {
  /// PBKDF2 iterations for new password hashes (Django's default 1,000,000). Tests and
  /// benchmarks lower it; verification always uses the count stored in each hash.
  public var passwordIterations: Int
  /// Seconds a token stays valid after login; nil (the default) for no expiry.
  public var tokenTTLSeconds: Int64?
  /// Live tokens kept per user; a login beyond it revokes the oldest (default 100).
  public var maxTokensPerUser: Int

  public init(
    passwordIterations: Int = DjangoPBKDF2.defaultIterations, tokenTTLSeconds: Int64? = nil,
    maxTokensPerUser: Int = 100
  ) {
    self.passwordIterations = passwordIterations
    self.tokenTTLSeconds = tokenTTLSeconds
    self.maxTokensPerUser = max(1, maxTokensPerUser)
  }
}
