/// When appended lines are forced to disk before `append` returns.
public enum FsyncPolicy: Sendable, Equatable {
  /// `fdatasync` before acknowledging; concurrent appenders share one sync (group commit).
  case always
  /// Write at once, `fdatasync` at most every `milliseconds`, acknowledge after that sync.
  case batch(milliseconds: Int)
  /// Acknowledge after `write`; the OS decides when data reaches the disk (tests, benchmarks).
  case never
}
