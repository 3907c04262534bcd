#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a restore put in place.
public struct LogRestore: Sendable, Equatable {
  /// The log file written.
  public let file: String
  /// The last sequence of the restored log.
  public let sequence: UInt64
  /// Records in it (snapshot records included).
  public let records: Int
}

extension EventLog {
  /// Makes the backup (or any log file) at `backup` the log of `directory`.
  ///
  /// Refuses a directory that exists and holds anything unless `force` (then only its log file
  /// is replaced), and a directory another process holds. The backup is checked line by line
  /// (checksums, sequence rules, every event decodable) before anything changes; it is then
  /// copied to a temporary file in the directory, synced and renamed over the log. The
  /// directory is created 0700 when missing, the log 0600.
  public static func restore(
    from backup: String, into directory: String, force: Bool
  ) throws -> LogRestore {
    if !force, let entries = directoryEntries(directory), !entries.isEmpty {
      throw EventLogError.directoryNotEmpty(path: directory)
    }
    let source = SystemCalls.openFile(backup, O_RDONLY | O_CLOEXEC)
    if source < 0 { throw SystemCalls.ioError("opening", backup) }
    defer { SystemCalls.closeFile(source) }
    var scan = LogFileScan(path: backup)
    var records = 0
    var fast = FastDecoded<Event>()
    try scan.run(fd: source, stopAtFirstProblem: true, preDecode: { fast.take($0, $1) }) {
      raw, line, offset in
      _ = try decode(raw, line: line, offset: offset, path: backup, fast: &fast)
      records += 1
    }
    if let problem = scan.problems.first {
      throw EventLogError.corruptLine(
        file: backup, line: problem.line, offset: problem.offset, reason: problem.reason)
    }
    guard scan.header != nil else {
      throw EventLogError.corruptLine(
        file: backup, line: 1, offset: 0, reason: "the file is empty, not a storefront event log")
    }
    let end = scan.goodEnd

    let lock = try DirectoryLock.acquire(directory: directory)
    defer { lock.release() }
    let path = directory + "/" + fileName
    let temporaryPath = path + ".restoring"
    unlink(temporaryPath)
    let target = SystemCalls.openFile(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
    if target < 0 { throw SystemCalls.ioError("creating", temporaryPath) }
    do {
      defer { SystemCalls.closeFile(target) }
      try SystemCalls.copyRange(
        from: source, backup, range: 0..<end, to: target, temporaryPath)
      if let code = SystemCalls.syncData(target) {
        throw SystemCalls.ioError("syncing", temporaryPath, code)
      }
      if rename(temporaryPath, path) != 0 {
        throw SystemCalls.ioError("renaming \(temporaryPath) to", path)
      }
    } catch {
      unlink(temporaryPath)
      throw error
    }
    try SystemCalls.syncDirectory(directory)
    return LogRestore(file: path, sequence: scan.lastSequence, records: records)
  }

  /// The names in `directory` (without `.` and `..`), or nil when it does not exist.
  private static func directoryEntries(_ directory: String) -> [String]? {
    guard let handle = opendir(directory) else { return nil }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
