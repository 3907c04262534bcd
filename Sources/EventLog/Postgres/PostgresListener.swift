import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `LISTEN`s for new events on a connection of its own, on a thread of its own, and reports
/// each notified sequence; reconnects by itself (the writer's polling covers the gaps).
final class PostgresListener: Sendable {
  private let url: String
  private let timeout: Int
  private let stopped = Locked(false)

  init(url: String, timeout: Int) {
    self.url = url
    self.timeout = timeout
  }

  func start(_ noticed: @escaping @Sendable (UInt64) -> Void) {
    DetachedThread.start { [self] in run(noticed) }
  }

  func stop() { stopped.withLock { $0 = true } }

  private func run(_ noticed: @Sendable (UInt64) -> Void) {
    var connection: PGConnection?
    while !stopped.withLock({ $0 }) {
      if connection == nil {
        do {
          let fresh = try PGConnection(url: url, timeoutSeconds: timeout)
          try fresh.exec("LISTEN \(PostgresSchema.channel)")
          connection = fresh
          // Whatever was notified while not listening: the writer catches up on its next look.
          noticed(UInt64.max)
        } catch {
          sleepMilliseconds(250)
          continue
        }
      }
      guard let live = connection else { continue }
      live.waitReadable(milliseconds: 200)
      do {
        var highest: UInt64 = 0
        for payload in try live.notifications() {
          highest = max(highest, UInt64(payload) ?? 0)
        }
        if highest > 0 { noticed(highest) }
      } catch {
        connection = nil
      }
    }
  }

  private func sleepMilliseconds(_ milliseconds: Int) {
    var request = timespec(tv_sec: 0, tv_nsec: milliseconds * 1_000_000)
    nanosleep(&request, nil)
  }
}
