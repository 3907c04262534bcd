/// Everything that can go wrong with the log, each worded as a sentence for an operator.
public enum EventLogError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The data directory does not exist and could not be created.
  case cannotCreateDirectory(path: String, reason: String)
  /// A restore was asked into a directory that already holds files (without `force`).
  case directoryNotEmpty(path: String)
  /// The data directory (or a file in it) cannot be opened for writing.
  case notWritable(path: String, reason: String)
  /// Another process (or another open log in this one) holds the directory's lock.
  case directoryInUse(path: String, pid: Int32?)
  /// A line before the end of the file fails its checksum or is not a log record.
  case corruptLine(file: String, line: Int, offset: UInt64, reason: String)
  /// A line is intact but the application cannot decode its event.
  case undecodableEvent(file: String, line: Int, offset: UInt64, type: String, reason: String)
  /// A write or sync failed earlier: the log refuses all appends (map to 503).
  case writesStopped(reason: String)
  /// The log was closed.
  case closed
  /// A system call failed.
  case io(operation: String, path: String, reason: String)
  /// `compact()` was called on a log opened without a compactor.
  case noCompactor
  /// The compaction did not happen; the log is unchanged and still usable.
  case compactionFailed(reason: String)

  /// True when the log can no longer take appends (the server should answer 503 to writes).
  public var refusesWrites: Bool {
    switch self {
    case .writesStopped, .closed: true
    default: false
    }
  }

  public var description: String {
    switch self {
    case .cannotCreateDirectory(let path, let reason):
      return "cannot create data directory \(path): \(reason)"
    case .directoryNotEmpty(let path):
      return "\(path) is not empty; pass --force to replace the event log in it"
    case .notWritable(let path, let reason):
      return "data directory \(path) is not writable: \(reason)"
    case .directoryInUse(let path, let pid):
      if let pid { return "data directory \(path) is in use by process \(pid)" }
      return "data directory \(path) is in use by another process"
    case .corruptLine(let file, let line, let offset, let reason):
      return
        "\(file) line \(line) (byte offset \(offset)) is corrupt: \(reason). "
        + EventLogError.hint(file: file, line: line)
    case .undecodableEvent(let file, let line, let offset, let type, let reason):
      return
        "\(file) line \(line) (byte offset \(offset)): cannot decode event of type \"\(type)\": "
        + "\(reason). Is this log from a newer version of the application? "
        + EventLogError.hint(file: file, line: line)
    case .writesStopped(let reason):
      return
        "the event log refuses writes after an earlier failure (\(reason)); "
        + "restart the server once the cause is fixed"
    case .closed:
      return "the event log is closed"
    case .io(let operation, let path, let reason):
      return "\(operation) \(path) failed: \(reason)"
    case .noCompactor:
      return "this event log was opened without a compactor, so it cannot compact"
    case .compactionFailed(let reason):
      return "compaction failed (the log is unchanged): \(reason)"
    }
  }

  static func hint(file: String, line: Int) -> String {
    let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    let dir = directory.isEmpty ? "." : directory
    return
      "Run `storefront log verify --data-dir \(dir)` to list every problem, or "
      + "`storefront log repair --data-dir \(dir)` to cut the log back to the last good line "
      + "(discarding line \(line) and everything after it)."
  }
}
