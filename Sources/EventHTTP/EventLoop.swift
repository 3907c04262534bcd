import CLibevent
import Foundation
import Primitives
import Synchronization

/// One libevent `event_base` driven by one thread, with an executor other threads can submit to.
///
/// Everything that touches the base runs on the loop thread. Other threads enter only through
/// ``execute(_:)``: the job goes into a locked queue and `event_active` wakes the loop, which
/// drains the queue (`event_active` is thread-safe once ``LibeventThreading/setUp()`` ran).
// Mutable state is confined to the loop thread; cross-thread entry is only `jobs` (a Mutex),
// `threadID` (an Atomic) and event_active/event_base_loopexit (thread-safe under evthread).
public final class EventLoop: @unchecked Sendable {
  public typealias Job = @Sendable () -> Void

  /// The position of this loop among the server's loops.
  public let index: Int
  /// The libevent base; use it only on the loop thread.
  public let base: OpaquePointer
  private let ownsBase: Bool
  private let jobs = Locked<[Job]>([])
  private let threadID = Atomic<UInt>(0)
  private var wakeEvent: OpaquePointer?
  /// Set by ``start()`` (the loop holds no reference to its thread: the thread's closure
  /// holds the loop until the loop returns, and no cycle outlives it).
  private let started = Atomic<Bool>(false)
  private let finished = Locked<Bool>(false)
  private let finishedCondition = NSCondition()
  /// Cleanups run on the loop thread after the loop returns, before the base is freed.
  private var cleanups: [() -> Void] = []

  /// Creates a loop with its own new base; call ``start()`` to run it on a new thread.
  public init(index: Int) throws {
    LibeventThreading.setUp()
    guard let base = event_base_new() else { throw EventHTTPError("event_base_new failed") }
    self.index = index
    self.base = base
    self.ownsBase = true
    try makeWakeEvent()
  }

  /// Wraps a base owned and run by someone else (a C host). The thread that first calls
  /// into this loop from a libevent callback is taken as its loop thread.
  public init(adopting base: OpaquePointer, index: Int = 0) throws {
    LibeventThreading.setUp()
    self.index = index
    self.base = base
    self.ownsBase = false
    try makeWakeEvent()
  }

  private func makeWakeEvent() throws {
    let context = Unmanaged.passUnretained(self).toOpaque()
    wakeEvent = event_new(
      base, -1, 0,
      { _, _, context in
        Unmanaged<EventLoop>.fromOpaque(context!).takeUnretainedValue().drainJobs()
      }, context)
    if wakeEvent == nil { throw EventHTTPError("event_new failed for the wake-up event") }
  }

  deinit {
    if let wakeEvent { event_free(wakeEvent) }
    if ownsBase { event_base_free(base) }
  }

  /// Runs `job` on the loop thread, soon. Safe from any thread.
  public func execute(_ job: @escaping Job) {
    let wasEmpty = jobs.withLock { queue in
      let wasEmpty = queue.isEmpty
      queue.append(job)
      return wasEmpty
    }
    if wasEmpty { event_active(wakeEvent, 0, 0) }
  }

  private func drainJobs() {
    markLoopThread()
    let batch = jobs.withLock { queue in
      let batch = queue
      queue.removeAll(keepingCapacity: true)
      return batch
    }
    for job in batch { job() }
  }

  /// Whether the caller is this loop's thread.
  public var inLoopThread: Bool {
    let owner = threadID.load(ordering: .acquiring)
    return owner != 0 && owner == UInt(bitPattern: Int(bitPattern: pthread_self()))
  }

  /// Records the current thread as the loop thread (for adopted bases, on the first callback).
  func markLoopThread() {
    if threadID.load(ordering: .relaxed) == 0 {
      threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .releasing)
    }
  }

  /// Registers work to run on the loop thread once the loop has stopped (freeing evhttp...).
  func onStop(_ cleanup: @escaping () -> Void) { cleanups.append(cleanup) }

  /// Starts the loop on a new thread named `storefront-loop-<index>`.
  public func start() {
    started.store(true, ordering: .releasing)
    let name = "storefront-loop-\(index)"
    let thread = Thread { [self] in
      markLoopThread()
      event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY)
      for cleanup in cleanups { cleanup() }
      cleanups.removeAll()
      // Let libevent finish what the cleanups freed (bufferevents are finalized by
      // callbacks of the base), while this is still the loop thread.
      event_base_loop(base, EVLOOP_NONBLOCK)
      finishedCondition.lock()
      finished.withLock { $0 = true }
      finishedCondition.broadcast()
      finishedCondition.unlock()
    }
    thread.name = name
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Asks the loop to return after the current iteration; safe from any thread.
  public func stop() { event_base_loopexit(base, nil) }

  /// Blocks until the loop thread has returned and run its cleanups.
  public func waitUntilStopped() {
    guard started.load(ordering: .acquiring) else { return }
    finishedCondition.lock()
    while !finished.withLock({ $0 }) { finishedCondition.wait() }
    finishedCondition.unlock()
  }
}

/// A failure of a libevent call or of socket setup, with what was being done.
public struct EventHTTPError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
