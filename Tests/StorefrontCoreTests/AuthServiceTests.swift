import JSON
import Synchronization
import Testing

@testable import StorefrontCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct AuthServiceTests {
  @Test func registerAnswersIdUsernameEmailAndHashesThePassword() async throws {
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink)
    let user = try await shop.auth.register(registerBody("testuser", email: "test@example.com"))
    #expect(
      user.registrationJSON
        == .object([
          "id": .int(1), "username": .string("testuser"), "email": .string("test@example.com"),
        ]))
    #expect(!user.isStaff)
    #expect(user.passwordHash.hasPrefix("pbkdf2_sha256$50$"))
    #expect(DjangoPBKDF2.verify(password: "test12345", encoded: user.passwordHash))
    #expect(sink.events == [.userRegistered(user)])
    let second = try await shop.auth.register(registerBody("other"))
    #expect(second.id == 2)
  }

  @Test func registerCollectsEveryFieldError() async {
    let shop = makeShop()
    let missing = await shopError { try await shop.auth.register(.object([:])) }
    #expect(
      missing?.body
        == .object([
          "username": .array([.string("This field is required.")]),
          "email": .array([.string("This field is required.")]),
          "password": .array([.string("This field is required.")]),
        ]))
    #expect(missing?.httpStatus == 400)

    let wrong = await shopError {
      try await shop.auth.register(
        .object([
          "username": .string("bad name!"), "email": .string("nope"), "password": .string("short"),
        ]))
    }
    #expect(
      wrong?.body
        == .object([
          "username": .array([
            .string(
              "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
            )
          ]),
          "email": .array([.string("Enter a valid email address.")]),
          "password": .array([
            .string("This password is too short. It must contain at least 8 characters.")
          ]),
        ]))

    let types = await shopError {
      try await shop.auth.register(
        .object(["username": .string(""), "email": .null, "password": .bool(true)]))
    }
    #expect(
      types?.body
        == .object([
          "username": .array([.string("This field may not be blank.")]),
          "email": .array([.string("This field may not be null.")]),
          "password": .array([.string("Not a valid string.")]),
        ]))

    let long = await shopError {
      try await shop.auth.register(registerBody(String(repeating: "a", count: 151)))
    }
    #expect(
      long?.body == fieldError("username", "Ensure this field has no more than 150 characters."))

    let notObject = await shopError { try await shop.auth.register(.array([])) }
    #expect(
      notObject?.body
        == fieldError("non_field_errors", "Invalid data. Expected a dictionary, but got list."))
  }

  @Test func duplicateUsernames() async throws {
    let shop = makeShop()
    _ = try await shop.auth.register(registerBody("bob"))
    let duplicate = await shopError { try await shop.auth.register(registerBody("bob")) }
    #expect(duplicate?.body == fieldError("username", "A user with that username already exists."))
    let trimmed = await shopError {
      try await shop.auth.register(registerBody("  bob ", email: "bob2@example.com"))
    }
    #expect(trimmed?.body == fieldError("username", "A user with that username already exists."))
    // Case-sensitive, as Django's default.
    _ = try await shop.auth.register(registerBody("Bob"))
  }

  @Test func concurrentRegistrationsOfOneNameCreateOneUser() async throws {
    let shop = makeShop()
    let successes = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<10 {
        group.addTask { (try? await shop.auth.register(registerBody("same"))) != nil }
      }
      return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(successes == 1)
    #expect(await shop.auth.currentState.users.count == 1)
  }

  @Test func createSuperuser() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    #expect(admin.isStaff)
    let again = await shopError { try await makeAdmin(shop) }
    #expect(again?.body == fieldError("username", "A user with that username already exists."))
    let short = await shopError {
      try await shop.auth.createSuperuser(username: "root", email: "r@example.com", password: "x")
    }
    #expect(
      short?.body
        == fieldError(
          "password", "This password is too short. It must contain at least 8 characters."))
  }

  @Test func eachLoginIssuesANewToken() async throws {
    let sink = InMemoryEventSink()
    let shop = makeShop(sink: sink)
    let user = try await shop.auth.register(registerBody("testuser"))
    let first = try await shop.auth.login(loginBody("testuser"))
    let second = try await shop.auth.login(loginBody("testuser"))
    #expect(first.token != second.token)
    #expect(first.token.count == 40)
    #expect(
      first.json
        == .object([
          "token": .string(first.token), "user_id": .int(user.id), "username": .string("testuser"),
        ]))
    #expect(shop.auth.authenticate(token: first.token) == user)
    #expect(shop.auth.authenticate(token: second.token) == user)
    #expect(shop.auth.authenticate(token: "0000000000000000000000000000000000000000") == nil)
    // Only digests are kept and logged.
    let state = await shop.auth.currentState
    #expect(state.tokens[TokenCrypto.digest(of: first.token)] != nil)
    #expect(state.tokens[first.token] == nil)
    for event in sink.events {
      let text = String(decoding: event.encodeData().encoded(), as: UTF8.self)
      #expect(!text.contains(first.token))
      #expect(!text.contains("test12345"))
    }
  }

  @Test func badCredentials() async throws {
    let shop = makeShop()
    _ = try await shop.auth.register(registerBody("testuser"))
    let refusal = fieldError("non_field_errors", "Unable to log in with provided credentials.")
    #expect(
      await shopError { try await shop.auth.login(loginBody("testuser", password: "wrong-pass")) }?
        .body == refusal)
    #expect(await shopError { try await shop.auth.login(loginBody("nobody")) }?.body == refusal)
    #expect(await shopError { try await shop.auth.login(loginBody("TESTUSER")) }?.body == refusal)
    let missing = await shopError { try await shop.auth.login(.object(["username": .string("")])) }
    #expect(
      missing?.body
        == .object([
          "username": .array([.string("This field may not be blank.")]),
          "password": .array([.string("This field is required.")]),
        ]))
  }

  @Test func logoutRevokesOnlyThatToken() async throws {
    let shop = makeShop()
    let user = try await shop.auth.register(registerBody("testuser"))
    let first = try await shop.auth.login(loginBody("testuser"))
    let second = try await shop.auth.login(loginBody("testuser"))
    try await shop.auth.logout(token: first.token)
    #expect(shop.auth.authenticate(token: first.token) == nil)
    #expect(shop.auth.authenticate(token: second.token) == user)
    #expect(await shopError { try await shop.auth.logout(token: first.token) } == .invalidToken)
  }

  @Test func logoutAllRevokesEveryTokenOfTheUserOnly() async throws {
    let shop = makeShop()
    let user = try await shop.auth.register(registerBody("testuser"))
    let other = try await shop.auth.register(registerBody("other"))
    let tokens = [
      try await shop.auth.login(loginBody("testuser")),
      try await shop.auth.login(loginBody("testuser")),
    ]
    let othersToken = try await shop.auth.login(loginBody("other"))
    try await shop.auth.logoutAll(user: user)
    for login in tokens { #expect(shop.auth.authenticate(token: login.token) == nil) }
    #expect(shop.auth.authenticate(token: othersToken.token) == other)
    let fresh = try await shop.auth.login(loginBody("testuser"))
    #expect(shop.auth.authenticate(token: fresh.token) == user)
  }

  @Test func tokensExpireAfterTheirTTL() async throws {
    let clock = TestClock()
    let shop = makeShop(
      auth: AuthConfiguration(passwordIterations: 50, tokenTTLSeconds: 60), clock: clock)
    let user = try await shop.auth.register(registerBody("testuser"))
    let login = try await shop.auth.login(loginBody("testuser"))
    clock.advance(seconds: 59)
    #expect(shop.auth.authenticate(token: login.token) == user)
    clock.advance(seconds: 1)
    #expect(shop.auth.authenticate(token: login.token) == nil)
    // The next login clears the expired token from memory and the log.
    _ = try await shop.auth.login(loginBody("testuser"))
    #expect(await shop.auth.currentState.tokens.count == 1)
  }

  @Test func oldestTokensGoBeyondTheLimit() async throws {
    let clock = TestClock()
    let shop = makeShop(
      auth: AuthConfiguration(passwordIterations: 50, maxTokensPerUser: 3), clock: clock)
    let user = try await shop.auth.register(registerBody("testuser"))
    var logins: [LoginResult] = []
    for _ in 0..<5 {
      clock.advance(seconds: 1)
      logins.append(try await shop.auth.login(loginBody("testuser")))
    }
    #expect(shop.auth.authenticate(token: logins[0].token) == nil)
    #expect(shop.auth.authenticate(token: logins[1].token) == nil)
    for login in logins[2...] { #expect(shop.auth.authenticate(token: login.token) == user) }
    #expect(await shop.auth.currentState.tokens.count == 3)
  }

  @Test func concurrentLoginsRespectTheLimit() async throws {
    let shop = makeShop(auth: AuthConfiguration(passwordIterations: 50, maxTokensPerUser: 4))
    _ = try await shop.auth.register(registerBody("testuser"))
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<20 { group.addTask { _ = try await shop.auth.login(loginBody("testuser")) } }
      try await group.waitForAll()
    }
    #expect(await shop.auth.currentState.tokens.count == 4)
  }
}

@Suite struct HashingOffTheActorTests {
  /// With the only hashing thread held busy, a registration waits for its hash while the actor
  /// keeps answering other calls: hashing never runs on (or blocks) the actor.
  @Test func actorStaysResponsiveWhileHashing() async throws {
    let pool = HashingPool(threadCount: 1)
    let release = Atomic<Bool>(false)
    let started = Atomic<Bool>(false)
    let blocker = Task {
      try await pool.run {
        started.store(true, ordering: .releasing)
        while !release.load(ordering: .acquiring) { usleep(500) }
      }
    }
    while !started.load(ordering: .acquiring) { await Task.yield() }
    let sink = InMemoryEventSink()
    let auth = AuthService(
      state: AuthState(), sink: sink, configuration: testAuthConfiguration, pool: pool)
    let registration = Task { try await auth.register(registerBody("waiting")) }
    // The registration is queued behind the blocker; the actor still serves these calls.
    for _ in 0..<10 {
      #expect(await auth.user(named: "nobody") == nil)
      await Task.yield()
    }
    #expect(sink.events.isEmpty)
    release.store(true, ordering: .releasing)
    try await blocker.value
    let user = try await registration.value
    #expect(user.username == "waiting")
  }
}
