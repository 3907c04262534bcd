import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// DRF's `SimpleRateThrottle` for one rate: per key, the times of the requests admitted within
/// the last period. A request is admitted (and its time recorded) while fewer than `N` are;
/// otherwise it is refused with the wait until the oldest leaves the window,
/// `period - (now - oldest)`, rounded up to whole seconds.
///
/// Memory is bounded: a key's history holds at most `N` times, and at most ``capacity`` keys
/// are tracked (2^21 / N, at most 65536: at least 20 keys, at most 2^21 times in all); a new key beyond that
/// evicts the key seen least recently. Safe from any thread; the lock is held only for the
/// bookkeeping, never while a response is built.
///
/// ```swift
/// let window = ThrottleWindow(rate: ThrottleRate("20/minute")!)
/// if let wait = window.admit("10.0.0.7") { /* 429, Retry-After: wait */ }
/// ```
final class ThrottleWindow: Sendable {
  let rate: ThrottleRate
  /// The most keys tracked at once.
  let capacity: Int
  private let state: Locked<WindowState>
  private let now: @Sendable () -> Int64

  /// Times kept across all keys, at most (each a 64-bit integer).
  static let timeBudget = 1 << 21

  /// A window for `rate`; `capacity` defaults to ``timeBudget`` / N, at most 65536;
  /// `now` gives monotonic nanoseconds.
  init(
    rate: ThrottleRate, capacity: Int? = nil,
    now: @escaping @Sendable () -> Int64 = ThrottleWindow.monotonicNanoseconds
  ) {
    self.rate = rate
    self.capacity = max(1, capacity ?? min(65_536, Self.timeBudget / rate.requests))
    self.state = Locked(WindowState())
    self.now = now
  }

  /// Records a request of `key` and returns nil, or returns the whole seconds (at least 1) to
  /// wait when `key` already has N requests within the period (nothing is recorded then).
  func admit(_ key: String) -> Int? {
    let limit = rate.requests
    let period = Int64(rate.period.seconds) * 1_000_000_000
    let capacity = capacity
    return state.withLock { state in
      // Read under the lock, so that each history is in time order.
      let time = now()
      let slot = state.touch(key, capacity: capacity)
      return state.slots[slot].admit(at: time, period: period, limit: limit)
    }
  }

  /// How many keys are tracked now.
  var trackedKeys: Int { state.withLock { $0.index.count } }

  /// `CLOCK_MONOTONIC` in nanoseconds.
  @Sendable static func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
  }
}

/// The keys of a window, most recently seen first (a list linked through slot indices).
private struct WindowState {
  var slots: [KeyHistory] = []
  var index: [String: Int] = [:]
  var newest = -1
  var oldest = -1

  /// The slot of `key`, now the most recent; a new key takes a fresh slot or, at `capacity`,
  /// the least recently seen key's.
  mutating func touch(_ key: String, capacity: Int) -> Int {
    let slot: Int
    if let found = index[key] {
      slot = found
      unlink(slot)
    } else if slots.count < capacity {
      slot = slots.count
      slots.append(KeyHistory(key: key))
      index[key] = slot
    } else {
      slot = oldest
      unlink(slot)
      index[slots[slot].key] = nil
      slots[slot].reset(key: key)
      index[key] = slot
    }
    slots[slot].older = newest
    slots[slot].newer = -1
    if newest >= 0 { slots[newest].newer = slot }
    newest = slot
    if oldest < 0 { oldest = slot }
    return slot
  }

  private mutating func unlink(_ slot: Int) {
    let (newer, older) = (slots[slot].newer, slots[slot].older)
    if newer >= 0 { slots[newer].older = older } else { newest = older }
    if older >= 0 { slots[older].newer = newer } else { oldest = newer }
  }
}

/// One key's admitted request times, oldest first, from `head` on.
private struct KeyHistory {
  var key: String
  var times: [Int64] = []
  var head = 0
  var newer = -1
  var older = -1

  init(key: String) { self.key = key }

  mutating func reset(key: String) {
    self.key = key
    times.removeAll(keepingCapacity: true)
    head = 0
  }

  mutating func admit(at time: Int64, period: Int64, limit: Int) -> Int? {
    while head < times.count, times[head] <= time - period { head += 1 }
    if head == times.count {
      times.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 16, head * 2 >= times.count {
      times.removeFirst(head)
      head = 0
    }
    guard times.count - head >= limit else {
      times.append(time)
      return nil
    }
    let remaining = period - (time - times[head])
    return Int((remaining + 999_999_999) / 1_000_000_000)
  }
}
