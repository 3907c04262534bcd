#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Readings of the monotonic clock, in nanoseconds: for deadlines and intervals, never for dates.
///
/// ```swift
/// let deadline = MonotonicClock.nanoseconds() + 200_000_000  // 200 ms from now
/// ```
public enum MonotonicClock {
  /// Nanoseconds on `CLOCK_MONOTONIC`.
  public static func nanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }

  /// Nanoseconds on `CLOCK_MONOTONIC_COARSE` (a few ms resolution, no system call): for
  /// deadlines counted in seconds.
  public static func coarseNanoseconds() -> UInt64 {
    var spec = timespec()
    #if os(Linux)
      clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
    #else
      clock_gettime(CLOCK_MONOTONIC, &spec)
    #endif
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }
}
