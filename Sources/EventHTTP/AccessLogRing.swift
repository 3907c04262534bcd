import Synchronization

/// A single-producer, single-consumer byte ring: one loop thread appends whole lines, the
/// ``AccessLogWriter`` thread writes them out. No locks and no waiting: a line that does not
/// fit is refused.
///
/// `head` and `tail` count bytes ever appended and ever consumed; the bytes between them belong
/// to the consumer, the rest of the storage to the producer.
// Each side writes only its own index and its own part of `storage`; a side reads the other's
// bytes only after an acquiring load of the other's index, which the other published with a
// releasing (or sequentially consistent) store after writing or reading those bytes.
final class AccessLogRing: @unchecked Sendable {
  /// The size of the storage, a power of two.
  let capacity: Int
  private let mask: Int
  private let storage: UnsafeMutableRawPointer
  private let head = Atomic<Int>(0)
  private let tail = Atomic<Int>(0)
  /// Set by the producer when it asked the writer to come (see ``AccessLog``), cleared by the
  /// writer before it looks at the ring: at most one wake-up is outstanding per ring.
  let wakeRequested = Atomic<Bool>(false)

  /// A ring of at least `minimumCapacity` bytes (rounded up to a power of two, at least 4 KiB).
  init(minimumCapacity: Int) {
    var capacity = 4096
    while capacity < minimumCapacity { capacity <<= 1 }
    self.capacity = capacity
    mask = capacity - 1
    storage = .allocate(byteCount: capacity, alignment: 64)
  }

  deinit { storage.deallocate() }

  /// Producer: appends `bytes` whole if they fit and returns how many bytes are then waiting;
  /// returns `nil` (appending nothing) when they do not fit.
  func append(_ bytes: UnsafeRawBufferPointer) -> Int? {
    let head = self.head.load(ordering: .relaxed)
    let used = head - tail.load(ordering: .acquiring)
    guard let source = bytes.baseAddress, bytes.count <= capacity - used else { return nil }
    let start = head & mask
    let first = min(bytes.count, capacity - start)
    (storage + start).copyMemory(from: source, byteCount: first)
    if first < bytes.count {
      storage.copyMemory(from: source + first, byteCount: bytes.count - first)
    }
    // Sequentially consistent, so that the writer, which clears `wakeRequested` and then loads
    // `head`, either sees these bytes or is woken again by the producer (see AccessLog.record).
    self.head.store(head + bytes.count, ordering: .sequentiallyConsistent)
    return used + bytes.count
  }

  /// Consumer: the waiting bytes as at most two regions (the second when they wrap), and the
  /// position to pass to ``consume(upTo:)`` once they are written.
  func waiting() -> (first: UnsafeRawBufferPointer, second: UnsafeRawBufferPointer, end: Int) {
    let tail = self.tail.load(ordering: .relaxed)
    let end = head.load(ordering: .sequentiallyConsistent)
    let count = end - tail
    let start = tail & mask
    let first = min(count, capacity - start)
    return (
      UnsafeRawBufferPointer(start: storage + start, count: first),
      UnsafeRawBufferPointer(start: storage, count: count - first), end
    )
  }

  /// Consumer: bytes waiting right now (a snapshot).
  var waitingCount: Int {
    head.load(ordering: .acquiring) - tail.load(ordering: .relaxed)
  }

  /// Consumer: gives the bytes before `end` back to the producer.
  func consume(upTo end: Int) { tail.store(end, ordering: .releasing) }
}
