/// Hashes and verifies passwords in Django's PBKDF2 format on a `HashingPool`.
///
/// Every call may be refused by the pool: ``HashingPool/Refusal/full`` when its queue is full,
/// ``HashingPool/Refusal/abandoned`` when `isAbandoned` is true before the work starts.
public struct PasswordHasher: Sendable {
  /// Iterations for new hashes (verification uses whatever a stored hash says).
  public var iterations: Int
  /// Where the work runs.
  public var pool: HashingPool

  public init(iterations: Int = DjangoPBKDF2.defaultIterations, pool: HashingPool) {
    self.iterations = max(1, iterations)
    self.pool = pool
  }

  /// A new salted hash of `password`.
  public func hash(
    _ password: String, unless isAbandoned: @escaping @Sendable () -> Bool = { false }
  ) async throws(HashingPool.Refusal) -> String {
    let iterations = self.iterations
    return try await pool.run(unless: isAbandoned) {
      DjangoPBKDF2.encode(password: password, salt: DjangoPBKDF2.newSalt(), iterations: iterations)
    }
  }

  /// Whether `password` matches `encoded`.
  public func verify(
    _ password: String, against encoded: String,
    unless isAbandoned: @escaping @Sendable () -> Bool = { false }
  ) async throws(HashingPool.Refusal) -> Bool {
    try await pool.run(unless: isAbandoned) {
      DjangoPBKDF2.verify(password: password, encoded: encoded)
    }
  }

  /// Spends the time of a verification at the configured iterations, matching nothing, so that
  /// a login for an unknown user takes as long as one with a wrong password.
  public func verifyNothing(
    _ password: String, unless isAbandoned: @escaping @Sendable () -> Bool = { false }
  ) async throws(HashingPool.Refusal) {
    let iterations = self.iterations
    _ = try await pool.run(unless: isAbandoned) {
      DjangoPBKDF2.base64Hash(
        password: password, salt: "unknownuserdummysalt00", iterations: iterations)
    }
  }
}
