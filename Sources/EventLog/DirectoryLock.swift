import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Exclusive ownership of a data directory: `flock` on `<dir>/eventlog.lock`, which holds the
/// owner's pid. Released when the descriptor is closed (including by the process dying).
struct DirectoryLock: Sendable {
  static let fileName = "eventlog.lock"
  let fd: Int32

  /// Creates `directory` if it is missing (not its parents; mode 0700, its parent synced), then
  /// takes the lock (the lock file is created 0600).
  static func acquire(directory: String) throws(EventLogError) -> DirectoryLock {
    try ensureDirectory(directory)
    let path = directory + "/" + fileName
    let fd = SystemCalls.openFile(path, O_RDWR | O_CREAT | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == EACCES || code == EROFS || code == EPERM {
        throw .notWritable(path: directory, reason: SystemCalls.errorText(code))
      }
      throw SystemCalls.ioError("opening lock file", path, code)
    }
    if !lockWithGrace(fd) {
      let code = errno
      var buffer = [UInt8](repeating: 0, count: 32)
      let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
      close(fd)
      if code == EWOULDBLOCK {
        let text = got > 0 ? String(decoding: buffer[0..<got], as: UTF8.self) : ""
        let pid = Int32(text.split(separator: "\n").first.map(String.init) ?? "")
        throw .directoryInUse(path: directory, pid: pid)
      }
      throw SystemCalls.ioError("locking", path, code)
    }
    let pidText = Array("\(getpid())\n".utf8)
    if ftruncate(fd, 0) != 0
      || pidText.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) < 0
    {
      let code = errno
      close(fd)
      throw .notWritable(path: directory, reason: SystemCalls.errorText(code))
    }
    return DirectoryLock(fd: fd)
  }

  func release() { close(fd) }

  /// Tries the lock for up to 200 ms: while any thread of a process spawns a child, the child
  /// briefly holds copies of every descriptor (until its `exec` closes them), which keeps a
  /// just-released lock held for a moment.
  private static func lockWithGrace(_ fd: Int32) -> Bool {
    let deadline = MonotonicClock.nanoseconds() + 200_000_000
    while true {
      if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
      let code = errno
      guard code == EWOULDBLOCK || code == EINTR, MonotonicClock.nanoseconds() < deadline else {
        errno = code
        return false
      }
      usleep(2000)
    }
  }

  private static func ensureDirectory(_ directory: String) throws(EventLogError) {
    if let isDirectory = SystemCalls.isDirectory(directory) {
      if !isDirectory {
        throw .cannotCreateDirectory(path: directory, reason: "a file with that name exists")
      }
      return
    }
    var trimmed = Substring(directory)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    var parent = String(trimmed.reversed().drop(while: { $0 != "/" }).reversed().dropLast())
    if parent.isEmpty { parent = directory.hasPrefix("/") ? "/" : "." }
    if mkdir(directory, 0o700) == 0 {
      // Exactly 0700 whatever the umask; then make the new entry in the parent durable.
      if chmod(directory, 0o700) != 0 {
        throw .cannotCreateDirectory(
          path: directory, reason: "setting its mode failed: \(SystemCalls.errorText(errno))")
      }
      do throws(EventLogError) {
        try SystemCalls.syncDirectory(parent)
      } catch {
        throw .cannotCreateDirectory(path: directory, reason: error.description)
      }
      return
    }
    let code = errno
    if code == EEXIST { return }
    switch code {
    case ENOENT:
      throw .cannotCreateDirectory(
        path: directory, reason: "its parent directory \(parent) does not exist")
    case ENOTDIR:
      throw .cannotCreateDirectory(
        path: directory, reason: "a component of \(parent) is not a directory")
    case EACCES, EPERM, EROFS:
      throw .cannotCreateDirectory(
        path: directory,
        reason: "the parent directory \(parent) is not writable (\(SystemCalls.errorText(code)))")
    default:
      throw .cannotCreateDirectory(path: directory, reason: SystemCalls.errorText(code))
    }
  }
}
