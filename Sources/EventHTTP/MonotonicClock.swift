#if canImport(Glibc)
  import Glibc
#endif

/// Readings of the monotonic clock.
enum MonotonicClock {
  /// Nanoseconds on `CLOCK_MONOTONIC_COARSE` (a few ms resolution, no system call): for
  /// deadlines counted in seconds.
  static func coarseNanoseconds() -> UInt64 {
    var spec = timespec()
    #if os(Linux)
      clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
    #else
      clock_gettime(CLOCK_MONOTONIC, &spec)
    #endif
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }
}
