import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Waits for SIGINT or SIGTERM. The first one returns from ``wait()``; a second one ends the
/// process at once (exit status 128 + signal).
// `sources` is written once in init and never mutated; DispatchSource is thread-safe.
final class SignalWaiter: @unchecked Sendable {
  private let sources: [any DispatchSourceSignal]
  private let queue = DispatchQueue(label: "storefront.signals")
  private let stream: AsyncStream<Int32>

  init(signals: [Int32] = [SIGINT, SIGTERM]) {
    let (stream, continuation) = AsyncStream<Int32>.makeStream()
    self.stream = stream
    var sources: [any DispatchSourceSignal] = []
    let received = Counter()
    // A parent may have spawned us with these signals blocked (Foundation's Process started
    // from a libdispatch thread does): unblock them, or they would stay pending forever.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for number in signals { sigaddset(&unblock, number) }
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    for number in signals {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler {
        if received.increment() > 1 { _exit(128 + number) }
        continuation.yield(number)
      }
      source.resume()
      sources.append(source)
    }
    self.sources = sources
  }

  /// Returns the first signal received.
  func wait() async -> Int32 {
    for await number in stream { return number }
    return SIGTERM
  }

  // Only touched on the serial `queue` that runs the signal handlers.
  private final class Counter: @unchecked Sendable {
    private var value = 0
    func increment() -> Int {
      value += 1
      return value
    }
  }
}
