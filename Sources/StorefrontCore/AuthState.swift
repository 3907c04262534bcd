/// Users and live tokens: the part of `ShopState` that `AuthService` owns.
public struct AuthState: Sendable, Equatable {
  /// Users by id.
  public internal(set) var users: [Int: User] = [:]
  /// User ids by username.
  public internal(set) var userIdsByName: [String: Int] = [:]
  /// Live tokens by SHA-256 hex digest.
  public internal(set) var tokens: [String: TokenRecord] = [:]
  /// Live token digests of each user.
  public internal(set) var tokenDigestsByUser: [Int: Set<String>] = [:]
  /// The id the next user gets.
  public internal(set) var nextUserId = 1

  public init() {}

  /// Applies the events that concern users and tokens; ignores the others.
  public mutating func apply(_ event: ShopEvent) {
    switch event {
    case .userRegistered(let user):
      users[user.id] = user
      userIdsByName[user.username] = user.id
      nextUserId = max(nextUserId, user.id + 1)
    case .tokenIssued(let token):
      tokens[token.digest] = token
      tokenDigestsByUser[token.userId, default: []].insert(token.digest)
    case .tokenRevoked(let digest):
      revoke(digest)
    case .allTokensRevoked(_, let digests):
      for digest in digests { revoke(digest) }
    case .sequencesRestored(let sequences):
      nextUserId = max(nextUserId, sequences.nextUserId)
    default:
      break
    }
  }

  private mutating func revoke(_ digest: String) {
    guard let token = tokens.removeValue(forKey: digest) else { return }
    tokenDigestsByUser[token.userId]?.remove(digest)
    if tokenDigestsByUser[token.userId]?.isEmpty == true {
      tokenDigestsByUser[token.userId] = nil
    }
  }

  /// The user with `username`, if any.
  public func user(named username: String) -> User? {
    userIdsByName[username].flatMap { users[$0] }
  }

  /// The live tokens of `userId`, oldest first.
  func tokens(of userId: Int) -> [TokenRecord] {
    (tokenDigestsByUser[userId] ?? []).compactMap { tokens[$0] }
      .sorted { ($0.createdAt, $0.digest) < ($1.createdAt, $1.digest) }
  }
}
