import Testing

@testable import StorefrontCore

@Suite struct PasswordTests {
  // Expected values from Python: base64.b64encode(hashlib.pbkdf2_hmac('sha256', pw, salt, it)).
  @Test func matchesDjango() {
    #expect(
      DjangoPBKDF2.encode(password: "test12345", salt: "abcdefghijklmnopqrstuv", iterations: 1000)
        == "pbkdf2_sha256$1000$abcdefghijklmnopqrstuv$NOMzrfsimPcATrnkO5V+mJejpwsLAYVK+RL4Ct3jgPg=")
    #expect(
      DjangoPBKDF2.encode(password: "lètmein", salt: "seasalt", iterations: 1000)
        == "pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A=")
    #expect(
      DjangoPBKDF2.encode(password: "pw", salt: "salt", iterations: 1)
        == "pbkdf2_sha256$1$salt$b0rYx47DZcBg5kjraU7kDepYSEsDcfvWFxWsRBC3OAo=")
  }

  @Test func verifiesWithTheStoredIterations() {
    let imported = "pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A="
    #expect(DjangoPBKDF2.verify(password: "lètmein", encoded: imported))
    #expect(!DjangoPBKDF2.verify(password: "letmein", encoded: imported))
    #expect(!DjangoPBKDF2.verify(password: "lètmein", encoded: "md5$x$y"))
    #expect(!DjangoPBKDF2.verify(password: "lètmein", encoded: "pbkdf2_sha256$0$seasalt$x"))
    #expect(!DjangoPBKDF2.verify(password: "lètmein", encoded: "garbage"))
    #expect(DjangoPBKDF2.iterations(of: imported) == 1000)
  }

  @Test func saltsAreDjangoLike() {
    let salt = DjangoPBKDF2.newSalt()
    #expect(salt.count == 22)
    #expect(salt.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    #expect(DjangoPBKDF2.newSalt() != salt)
  }

  @Test func hasherRunsOnThePool() async throws {
    let hasher = PasswordHasher(iterations: 100, pool: testPool)
    let encoded = try await hasher.hash("s3cret-pass")
    #expect(encoded.hasPrefix("pbkdf2_sha256$100$"))
    #expect(try await hasher.verify("s3cret-pass", against: encoded))
    #expect(!(try await hasher.verify("wrong", against: encoded)))
  }

  @Test func poolRunsManyJobs() async throws {
    let pool = HashingPool(threadCount: 3, maxPending: 200)
    let results = try await withThrowingTaskGroup(of: Int.self) { group in
      for index in 0..<200 { group.addTask { try await pool.run { index * 2 } } }
      return try await group.reduce(0, +)
    }
    #expect(results == (0..<200).reduce(0) { $0 + $1 * 2 })
  }

  @Test func tokens() {
    let token = TokenCrypto.newToken()
    #expect(token.count == 40)
    #expect(token.allSatisfy { "0123456789abcdef".contains($0) })
    #expect(TokenCrypto.newToken() != token)
    #expect(
      TokenCrypto.digest(of: "abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
    #expect(!constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
    #expect(!constantTimeEquals(Array("abc".utf8), Array("ab".utf8)))
  }
}
