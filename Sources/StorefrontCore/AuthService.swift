import JSON
import Primitives

/// Users, passwords and tokens.
///
/// Every accepted mutation is appended to the `EventSink` before the call returns; if the append
/// fails the call throws `.unavailable` and memory is as before. Password hashing runs on the
/// `HashingPool` while the actor is free to serve other calls. When the pool's queue is full,
/// register and login throw `.tooManyLogins` at once; when their `isAbandoned` turns true
/// (the client disconnected) before the hash runs or before the result is committed, they
/// throw `.callerGone`, and no user or token is kept.
///
/// ```swift
/// let user = try await auth.register(body)          // 201 user.registrationJSON
/// let login = try await auth.login(body)            // 200 login.json
/// guard let caller = auth.authenticate(token: token) else { /* 401 Invalid token. */ }
/// ```
public actor AuthService {
  /// The committed state, behind a lock so that ``authenticate(token:)`` can read it from an
  /// event loop without an actor hop; only this actor writes it (in `commit`).
  private let committed: Locked<AuthState>
  private var state: AuthState { committed.withLock { $0 } }
  private let sink: any EventSink
  private let configuration: AuthConfiguration
  private let hasher: PasswordHasher
  private let clock: @Sendable () -> Timestamp

  private var nextUserId: Int
  /// Usernames of registrations between their check and their commit.
  private var pendingUsernames: Set<String> = []
  /// One token issuance per user at a time, so the per-user limit holds under concurrent logins.
  private let issuing = TurnLock<Int>()

  /// A service over replayed `state`, appending to `sink`.
  public init(
    state: AuthState, sink: any EventSink, configuration: AuthConfiguration = AuthConfiguration(),
    pool: HashingPool, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
  ) {
    self.committed = Locked(state)
    self.sink = sink
    self.configuration = configuration
    self.hasher = PasswordHasher(iterations: configuration.passwordIterations, pool: pool)
    self.clock = clock
    self.nextUserId = state.nextUserId
  }

  /// The committed state (for tests and tools).
  public var currentState: AuthState { state }

  /// The pool password hashing runs on (its queue depth and counters are metrics).
  public nonisolated var hashingPool: HashingPool { hasher.pool }

  /// The user named `username`, if any.
  public func user(named username: String) -> User? { state.user(named: username) }

  // MARK: Registration

  /// `POST /users/register/`: validates `{username, email, password}` (all errors at once) and
  /// creates a non-staff user. Answer 201 with `user.registrationJSON`. `isAbandoned` tells
  /// whether the caller still waits (see the type's documentation).
  public func register(
    _ body: JSONValue, isAbandoned: @escaping @Sendable () -> Bool = { false }
  ) async throws(ShopError) -> User {
    try await createUser(body, isStaff: false, isAbandoned: isAbandoned)
  }

  /// `storefront createsuperuser`: the same rules, creating a staff user. A duplicate username
  /// is `{"username": ["A user with that username already exists."]}`.
  public func createSuperuser(
    username: String, email: String, password: String
  ) async throws(ShopError) -> User {
    let body = JSONValue.object([
      "username": .string(username), "email": .string(email), "password": .string(password),
    ])
    return try await createUser(body, isStaff: true, isAbandoned: { false })
  }

  private func isTaken(_ username: String) -> Bool {
    state.userIdsByName[username] != nil || pendingUsernames.contains(username)
  }

  private func createUser(
    _ body: JSONValue, isStaff: Bool, isAbandoned: @escaping @Sendable () -> Bool
  ) async throws(ShopError) -> User {
    let fields = try UserValidation.registration(body, isTaken: isTaken)
    let passwordHash: String
    do {
      passwordHash = try await hasher.hash(fields.password, unless: isAbandoned)
    } catch {
      throw Self.refused(error)
    }
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> User in
      // Another registration may have taken the name while we were hashing.
      if isTaken(fields.username) {
        throw .validation(
          ValidationError(field: "username", "A user with that username already exists."))
      }
      if isAbandoned() { throw .callerGone }
      let user = User(
        id: nextUserId, username: fields.username, email: fields.email,
        passwordHash: passwordHash, isStaff: isStaff, dateJoined: clock())
      nextUserId += 1
      pendingUsernames.insert(user.username)
      defer { pendingUsernames.remove(user.username) }
      do throws(ShopError) {
        try await commit([.userRegistered(user)])
      } catch {
        giveBackIds(user.id, to: &nextUserId, committed: state.nextUserId)
        throw error
      }
      return user
    }
  }

  // MARK: Tokens

  /// `POST /users/login/`: checks `{username, password}` and issues a new token. Unknown users
  /// cost a full hash too. Bad credentials are
  /// `{"non_field_errors": ["Unable to log in with provided credentials."]}`. `isAbandoned`
  /// tells whether the caller still waits (see the type's documentation).
  public func login(
    _ body: JSONValue, isAbandoned: @escaping @Sendable () -> Bool = { false }
  ) async throws(ShopError) -> LoginResult {
    var reader = FieldReader(try FieldReader.object(body))
    let username = reader.string("username")
    let password = reader.string("password", trim: false)
    try reader.errors.throwIfAny()
    let refusal = ShopError.validation(.nonField("Unable to log in with provided credentials."))
    // A user another node registered a moment ago: catch up before refusing.
    if state.user(named: username!) == nil, sink.isShared { await sink.catchUp() }
    guard let user = state.user(named: username!) else {
      do {
        try await hasher.verifyNothing(password!, unless: isAbandoned)
      } catch {
        throw Self.refused(error)
      }
      throw refusal
    }
    let matches: Bool
    do {
      matches = try await hasher.verify(password!, against: user.passwordHash, unless: isAbandoned)
    } catch {
      throw Self.refused(error)
    }
    guard matches else { throw refusal }
    if isAbandoned() { throw .callerGone }
    return try await issueToken(for: user)
  }

  /// The error of the API for a refusal of the hashing pool.
  private static func refused(_ refusal: HashingPool.Refusal) -> ShopError {
    switch refusal {
    case .full: .tooManyLogins
    case .abandoned: .callerGone
    }
  }

  private func issueToken(for user: User) async throws(ShopError) -> LoginResult {
    await issuing.acquire(user.id)
    defer { issuing.release(user.id) }
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> LoginResult in
      try await issueTokenInTurn(for: user)
    }
  }

  private func issueTokenInTurn(for user: User) async throws(ShopError) -> LoginResult {
    let now = clock()
    let token = TokenCrypto.newToken()
    let record = TokenRecord(digest: TokenCrypto.digest(of: token), userId: user.id, createdAt: now)
    let live = state.tokens(of: user.id)
    var victims = live.filter { isExpired($0, now: now) }
    let valid = live.filter { !isExpired($0, now: now) }
    let excess = valid.count + 1 - configuration.maxTokensPerUser
    if excess > 0 { victims += valid.prefix(excess) }
    try await commit(victims.map { .tokenRevoked(digest: $0.digest) } + [.tokenIssued(record)])
    return LoginResult(token: token, user: user)
  }

  private nonisolated func isExpired(_ token: TokenRecord, now: Timestamp) -> Bool {
    guard let ttl = configuration.tokenTTLSeconds else { return false }
    return token.createdAt.adding(seconds: ttl) <= now
  }

  /// The user a token belongs to, or nil for an unknown, revoked or expired token
  /// (answer 401 `Invalid token.`). Reads the committed state under its lock: callable from any
  /// thread without awaiting the actor.
  public nonisolated func authenticate(token: String) -> User? {
    let digest = TokenCrypto.digest(of: token)
    let (record, user) = committed.withLock { state -> (TokenRecord?, User?) in
      guard let record = state.tokens[digest] else { return (nil, nil) }
      return (record, state.users[record.userId])
    }
    guard let record, constantTimeEquals(Array(record.digest.utf8), Array(digest.utf8)),
      !isExpired(record, now: clock())
    else { return nil }
    return user
  }

  /// `POST /users/logout/`: revokes `token` at once. Throws `.invalidToken` if it is not live.
  public func logout(token: String) async throws(ShopError) {
    try await rerunningOnConflict(sink) { () async throws(ShopError) in
      let digest = TokenCrypto.digest(of: token)
      guard let record = state.tokens[digest], !isExpired(record, now: clock()) else {
        throw .invalidToken
      }
      try await commit([.tokenRevoked(digest: digest)])
    }
  }

  /// `POST /users/logout-all/`: revokes every live token of `user`.
  public func logoutAll(user: User) async throws(ShopError) {
    try await rerunningOnConflict(sink) { () async throws(ShopError) in
      let digests = state.tokens(of: user.id).map(\.digest)
      try await commit([.allTokensRevoked(userId: user.id, digests: digests)])
    }
  }

  // MARK: Log

  private func commit(_ events: [ShopEvent]) async throws(ShopError) {
    do {
      try await sink.append(events)
    } catch {
      throw .sinkFailure(error)
    }
    committed.withLock { state in
      for event in events { state.apply(event) }
    }
  }

  // MARK: Other writers

  /// Applies events other writers (other nodes) committed, in log order. Commands that
  /// validated before are refused by the sink and run again.
  public func applyForeign(_ events: [ShopEvent]) {
    let next = committed.withLock { state in
      for event in events { state.apply(event) }
      return state.nextUserId
    }
    nextUserId = max(nextUserId, next)
  }

  /// ``authenticate(token:)``; when the token is unknown and other writers share the log,
  /// catches up on their events first (a token issued by another node a moment ago).
  public nonisolated func authenticateCatchingUp(token: String) async -> User? {
    if let user = authenticate(token: token) { return user }
    guard sink.isShared else { return nil }
    await sink.catchUp()
    return authenticate(token: token)
  }
}
