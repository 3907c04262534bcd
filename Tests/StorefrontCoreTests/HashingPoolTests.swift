import JSON
import Synchronization
import Testing

@testable import StorefrontCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pool job that holds its thread until released: the queue behind it then only fills.
final class PoolBlocker: Sendable {
  private final class Flags: Sendable {
    let released = Atomic<Bool>(false)
    let started = Atomic<Bool>(false)
  }

  private let flags = Flags()
  private let task: Task<Void, any Error>

  /// Occupies one thread of `pool` (waits until the job runs).
  init(_ pool: HashingPool) async throws {
    let flags = flags
    task = Task {
      try await pool.run {
        flags.started.store(true, ordering: .releasing)
        while !flags.released.load(ordering: .acquiring) { usleep(500) }
      }
    }
    try await waitUntil("the blocker runs") { flags.started.load(ordering: .acquiring) }
  }

  func release() async throws {
    flags.released.store(true, ordering: .releasing)
    try await task.value
  }
}

struct WaitTimedOut: Error, CustomStringConvertible {
  var description: String
}

/// Polls `condition` until it holds; throws after `seconds` (a generous bound, not a timing
/// assertion).
func waitUntil(
  _ what: String, seconds: Int = 20, _ condition: @Sendable () -> Bool
) async throws {
  let deadline = ContinuousClock.now + .seconds(seconds)
  while !condition() {
    guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: what) }
    try await Task.sleep(for: .milliseconds(2))
  }
}

@Suite struct HashingPoolTests {
  @Test func aFullQueueRefusesAtOnceAndLaterJobsStillRun() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 2)
    let blocker = try await PoolBlocker(pool)
    let queued = (0..<2).map { index in Task { try await pool.run { index + 10 } } }
    try await waitUntil("two jobs wait") { pool.pendingJobs == 2 }
    await #expect(throws: HashingPool.Refusal.full) { try await pool.run { 99 } }
    #expect(pool.rejectedJobs == 1)
    #expect(pool.pendingJobs == 2)
    try await blocker.release()
    #expect(try await queued[0].value == 10)
    #expect(try await queued[1].value == 11)
    #expect(pool.pendingJobs == 0)
    // Room again once the queue drained.
    #expect(try await pool.run { 7 } == 7)
  }

  @Test func anAbandonedJobIsSkippedBeforeItRuns() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 4)
    let blocker = try await PoolBlocker(pool)
    let gone = Atomic<Bool>(false)
    let ran = Atomic<Bool>(false)
    let job = Task {
      try await pool.run(unless: { gone.load(ordering: .acquiring) }) {
        ran.store(true, ordering: .releasing)
      }
    }
    let kept = Task { try await pool.run { 5 } }
    try await waitUntil("both jobs wait") { pool.pendingJobs == 2 }
    #expect(pool.abandonedWaitingJobs == 0)
    gone.store(true, ordering: .releasing)
    #expect(pool.abandonedWaitingJobs == 1)
    try await blocker.release()
    await #expect(throws: HashingPool.Refusal.abandoned) { try await job.value }
    let didRun = ran.load(ordering: .acquiring)
    #expect(!didRun)
    #expect(try await kept.value == 5)
    #expect(pool.abandonedJobs == 1)
  }

  @Test func aJobAbandonedBeforeQueueingIsNotQueued() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 1)
    await #expect(throws: HashingPool.Refusal.abandoned) {
      try await pool.run(unless: { true }) { 1 }
    }
    #expect(pool.abandonedJobs == 1)
    #expect(pool.pendingJobs == 0)
  }

  @Test func aFullQueueMakesRoomByDroppingAbandonedJobs() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 1)
    let blocker = try await PoolBlocker(pool)
    let gone = Atomic<Bool>(false)
    let stale = Task { try await pool.run(unless: { gone.load(ordering: .acquiring) }) { 1 } }
    try await waitUntil("the job waits") { pool.pendingJobs == 1 }
    gone.store(true, ordering: .releasing)
    // Dropped at once, before the blocker ends: its caller hears about it now.
    let fresh = Task { try await pool.run { 2 } }
    await #expect(throws: HashingPool.Refusal.abandoned) { try await stale.value }
    #expect(pool.rejectedJobs == 0)
    try await blocker.release()
    #expect(try await fresh.value == 2)
  }
}

@Suite struct AuthUnderLoadTests {
  @Test func registerAndLoginAnswerTooManyLoginsWhenTheQueueIsFull() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 1)
    let sink = InMemoryEventSink()
    let auth = AuthService(
      state: AuthState(), sink: sink, configuration: testAuthConfiguration, pool: pool)
    _ = try await auth.register(registerBody("alice"))
    let blocker = try await PoolBlocker(pool)
    let waiting = Task { try await auth.login(loginBody("alice")) }
    try await waitUntil("the login waits") { pool.pendingJobs == 1 }
    await #expect(throws: ShopError.tooManyLogins) { try await auth.login(loginBody("alice")) }
    await #expect(throws: ShopError.tooManyLogins) { try await auth.login(loginBody("nobody")) }
    await #expect(throws: ShopError.tooManyLogins) { try await auth.register(registerBody("bob")) }
    #expect(await auth.user(named: "bob") == nil)
    try await blocker.release()
    _ = try await waiting.value
    // One user, one token: nothing refused was kept.
    #expect(await auth.currentState.users.count == 1)
    #expect(await auth.currentState.tokens.count == 1)
  }

  @Test func abandonedLoginsAndRegistrationsKeepNothing() async throws {
    let pool = HashingPool(threadCount: 1, maxPending: 8)
    let auth = AuthService(
      state: AuthState(), sink: InMemoryEventSink(), configuration: testAuthConfiguration,
      pool: pool)
    _ = try await auth.register(registerBody("alice"))
    let blocker = try await PoolBlocker(pool)
    let gone = Atomic<Bool>(false)
    let isGone: @Sendable () -> Bool = { gone.load(ordering: .acquiring) }
    let login = Task { try await auth.login(loginBody("alice"), isAbandoned: isGone) }
    let register = Task { try await auth.register(registerBody("bob"), isAbandoned: isGone) }
    try await waitUntil("both hashes wait") { pool.pendingJobs == 2 }
    gone.store(true, ordering: .releasing)
    try await blocker.release()
    await #expect(throws: ShopError.callerGone) { try await login.value }
    await #expect(throws: ShopError.callerGone) { try await register.value }
    #expect(await auth.user(named: "bob") == nil)
    #expect(await auth.currentState.tokens.isEmpty)
    #expect(pool.abandonedJobs == 2)
  }

  @Test func theRefusalsMapToTheirResponses() {
    #expect(ShopError.tooManyLogins.httpStatus == 503)
    #expect(
      ShopError.tooManyLogins.body
        == .object(["detail": .string("Too many logins in progress; try again shortly.")]))
    #expect(ShopError.tooManyLogins.retryAfterSeconds == 1)
    #expect(ShopError.unavailable(reason: "x").retryAfterSeconds == nil)
    #expect(ShopError.callerGone.httpStatus == 499)
  }
}
