extension StorefrontConfig {
  /// Event log durability and compaction (`storage.*`).
  public struct Storage: Sendable, Equatable {
    /// When a write counts as durable (`storage.fsync`).
    public enum FsyncPolicy: String, Sendable, Equatable, CaseIterable {
      /// `fsync` before every acknowledgement (concurrent writers share one fsync).
      case always
      /// `fsync` at most ``Storage/batchMilliseconds`` after a write, before acknowledging it.
      case batch
      /// Never `fsync`; the operating system flushes when it likes.
      case never
    }

    /// `storage.fsync`.
    public var fsync: FsyncPolicy = .always
    /// `storage.batch_ms`: the longest a write waits for its group fsync under `batch`.
    public var batchMilliseconds: Int = 5
    /// `storage.compaction_factor`: compact when the log exceeds this multiple of the size of a
    /// fresh snapshot.
    public var compactionFactor: Double = 2.0
    /// `storage.compaction_min_bytes`: never compact a log smaller than this.
    public var compactionMinBytes: Int = 67_108_864

    /// Where the event log lives (`storage.backend`).
    public enum Backend: String, Sendable, Equatable, CaseIterable {
      /// `data_dir/events.jsonl`, one node.
      case file
      /// One PostgreSQL table (`storage.postgres_url`), shared by several nodes.
      case postgres
    }

    /// `storage.backend`.
    public var backend: Backend = .file
    /// `storage.postgres_url`: the libpq URL of the shared log.
    public var postgresURL: String = ""
  }
}
