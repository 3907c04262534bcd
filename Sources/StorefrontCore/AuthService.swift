import JSON

/// Users, passwords and tokens.
///
/// Every accepted mutation is appended to the `EventSink` before the call returns; if the append
/// fails the call throws `.unavailable` and memory is as before. Password hashing runs on the
/// `HashingPool` while the actor is free to serve other calls.
///
/// ```swift
/// let user = try await auth.register(body)          // 201 user.registrationJSON
/// let login = try await auth.login(body)            // 200 login.json
/// guard let caller = await auth.authenticate(token: token) else { /* 401 Invalid token. */ }
/// ```
public actor AuthService {
  private var state: AuthState
  private let sink: any EventSink
  private let configuration: AuthConfiguration
  private let hasher: PasswordHasher
  private let clock: @Sendable () -> Timestamp

  private var nextUserId: Int
  /// Usernames of registrations between their check and their commit.
  private var pendingUsernames: Set<String> = []
  /// Logins per user between their check and their commit.
  private var pendingIssues: [Int: Int] = [:]
  /// Token digests being revoked by an in-flight login.
  private var pendingRevocations: Set<String> = []
  /// Users with a token issue in flight, with the logins waiting for their turn: a user's
  /// tokens are issued one at a time, so each login sees the tokens issued before it and can
  /// revoke the oldest beyond `maxTokensPerUser` (an in-flight token cannot be chosen).
  private var issuing: [Int: [CheckedContinuation<Void, Never>]] = [:]

  /// A service over replayed `state`, appending to `sink`.
  public init(
    state: AuthState, sink: any EventSink, configuration: AuthConfiguration = AuthConfiguration(),
    pool: HashingPool, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) {
    self.state = state
    self.sink = sink
    self.configuration = configuration
    self.hasher = PasswordHasher(iterations: configuration.passwordIterations, pool: pool)
    self.clock = clock
    self.nextUserId = state.nextUserId
  }

  /// The committed state (for tests and tools).
  public var currentState: AuthState { state }

  /// The user with `id`, if any.
  public func user(id: Int) -> User? { state.users[id] }

  /// The user named `username`, if any.
  public func user(named username: String) -> User? { state.user(named: username) }

  // MARK: Registration

  /// `POST /users/register/`: validates `{username, email, password}` (all errors at once) and
  /// creates a non-staff user. Answer 201 with `user.registrationJSON`.
  public func register(_ body: JSONValue) async throws(ShopError) -> User {
    try await createUser(body, isStaff: false)
  }

  /// `storefront createsuperuser`: the same rules, creating a staff user. A duplicate username
  /// is `{"username": ["A user with that username already exists."]}`.
  public func createSuperuser(
    username: String, email: String, password: String
  ) async throws(ShopError) -> User {
    let body = JSONValue.object([
      "username": .string(username), "email": .string(email), "password": .string(password),
    ])
    return try await createUser(body, isStaff: true)
  }

  private func isTaken(_ username: String) -> Bool {
    state.userIdsByName[username] != nil || pendingUsernames.contains(username)
  }

  private func createUser(_ body: JSONValue, isStaff: Bool) async throws(ShopError) -> User {
    let fields = try UserValidation.registration(body, isTaken: isTaken)
    let passwordHash = await hasher.hash(fields.password)
    // Another registration may have taken the name while we were hashing.
    if isTaken(fields.username) {
      throw .validation(
        ValidationError(field: "username", "A user with that username already exists."))
    }
    let user = User(
      id: nextUserId, username: fields.username, email: fields.email, passwordHash: passwordHash,
      isStaff: isStaff, dateJoined: clock())
    nextUserId += 1
    pendingUsernames.insert(user.username)
    defer { pendingUsernames.remove(user.username) }
    try await commit([.userRegistered(user)])
    return user
  }

  // MARK: Tokens

  /// `POST /users/login/`: checks `{username, password}` and issues a new token. Unknown users
  /// cost a full hash too. Bad credentials are
  /// `{"non_field_errors": ["Unable to log in with provided credentials."]}`.
  public func login(_ body: JSONValue) async throws(ShopError) -> LoginResult {
    var reader = FieldReader(try FieldReader.object(body))
    let username = reader.string("username")
    let password = reader.string("password", trim: false)
    try reader.errors.throwIfAny()
    let refusal = ShopError.validation(.nonField("Unable to log in with provided credentials."))
    guard let user = state.user(named: username!) else {
      await hasher.verifyNothing(password!)
      throw refusal
    }
    guard await hasher.verify(password!, against: user.passwordHash) else { throw refusal }
    return try await issueToken(for: user)
  }

  private func issueToken(for user: User) async throws(ShopError) -> LoginResult {
    await acquireIssue(for: user.id)
    defer { releaseIssue(for: user.id) }
    let now = clock()
    let token = TokenCrypto.newToken()
    let record = TokenRecord(digest: TokenCrypto.digest(of: token), userId: user.id, createdAt: now)
    let live = state.tokens(of: user.id).filter { !pendingRevocations.contains($0.digest) }
    var victims = live.filter { isExpired($0, now: now) }
    let valid = live.filter { !isExpired($0, now: now) }
    let excess =
      valid.count + pendingIssues[user.id, default: 0] + 1 - configuration.maxTokensPerUser
    if excess > 0 { victims += valid.prefix(excess) }
    let digests = victims.map(\.digest)

    pendingIssues[user.id, default: 0] += 1
    pendingRevocations.formUnion(digests)
    defer {
      pendingIssues[user.id, default: 1] -= 1
      if pendingIssues[user.id] == 0 { pendingIssues[user.id] = nil }
      pendingRevocations.subtract(digests)
    }
    try await commit(digests.map { .tokenRevoked(digest: $0) } + [.tokenIssued(record)])
    return LoginResult(token: token, user: user)
  }

  private func acquireIssue(for userId: Int) async {
    guard issuing[userId] != nil else {
      issuing[userId] = []
      return
    }
    await withCheckedContinuation { issuing[userId, default: []].append($0) }
  }

  private func releaseIssue(for userId: Int) {
    guard var waiters = issuing[userId], !waiters.isEmpty else {
      issuing[userId] = nil
      return
    }
    // Hand the turn over directly: the entry stays for the next waiter.
    let next = waiters.removeFirst()
    issuing[userId] = waiters
    next.resume()
  }

  private func isExpired(_ token: TokenRecord, now: Timestamp) -> Bool {
    guard let ttl = configuration.tokenTTLSeconds else { return false }
    return token.createdAt.adding(seconds: ttl) <= now
  }

  /// The user a token belongs to, or nil for an unknown, revoked or expired token
  /// (answer 401 `Invalid token.`).
  public func authenticate(token: String) -> User? {
    let digest = TokenCrypto.digest(of: token)
    guard let record = state.tokens[digest],
      constantTimeEquals(Array(record.digest.utf8), Array(digest.utf8)),
      !isExpired(record, now: clock())
    else { return nil }
    return state.users[record.userId]
  }

  /// `POST /users/logout/`: revokes `token` at once. Throws `.invalidToken` if it is not live.
  public func logout(token: String) async throws(ShopError) {
    let digest = TokenCrypto.digest(of: token)
    guard let record = state.tokens[digest], !isExpired(record, now: clock()) else {
      throw .invalidToken
    }
    try await commit([.tokenRevoked(digest: digest)])
  }

  /// `POST /users/logout-all/`: revokes every live token of `user`.
  public func logoutAll(user: User) async throws(ShopError) {
    let digests = state.tokens(of: user.id).map(\.digest)
    try await commit([.allTokensRevoked(userId: user.id, digests: digests)])
  }

  // MARK: Log

  private func commit(_ events: [ShopEvent]) async throws(ShopError) {
    do {
      try await sink.append(events)
    } catch {
      throw .unavailable(reason: "\(error)")
    }
    for event in events { state.apply(event) }
  }
}
