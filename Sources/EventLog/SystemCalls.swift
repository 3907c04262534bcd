import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Thin, error-checked wrappers over the POSIX calls the log uses.
enum SystemCalls {
  /// Opens `path`. With `O_CREAT`, a file this call creates gets mode 0600 whatever the umask
  /// (set again with `fchmod`); an existing file keeps its mode.
  static func openFile(_ path: String, _ flags: Int32) -> Int32 {
    guard flags & O_CREAT != 0 else { return open(path, flags) }
    while true {
      if flags & O_EXCL == 0 {
        let existing = open(path, flags & ~O_CREAT)
        if existing >= 0 || errno != ENOENT { return existing }
      }
      let fd = open(path, flags | O_EXCL, 0o600)
      if fd < 0 {
        if errno == EEXIST && flags & O_EXCL == 0 { continue }  // Created meanwhile: open it.
        return fd
      }
      if fchmod(fd, 0o600) != 0 {
        let code = errno
        close(fd)
        errno = code
        return -1
      }
      return fd
    }
  }

  static func closeFile(_ fd: Int32) {
    _ = close(fd)
  }

  static func errorText(_ code: Int32) -> String {
    String(cString: strerror(code))
  }

  static func ioError(_ operation: String, _ path: String, _ code: Int32 = errno) -> EventLogError {
    .io(operation: operation, path: path, reason: errorText(code))
  }

  /// Writes every byte at the file's current position (retrying short writes and EINTR).
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    guard var pointer = bytes.baseAddress else { return nil }
    var remaining = bytes.count
    while remaining > 0 {
      let written = write(fd, pointer, remaining)
      if written < 0 {
        if errno == EINTR { continue }
        return errno
      }
      pointer += written
      remaining -= written
    }
    return nil
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  /// Forces file data (and the size) to disk. Never retried by callers after a failure.
  static func syncData(_ fd: Int32) -> Int32? {
    #if canImport(Glibc)
      let result = fdatasync(fd)
    #else
      let result = fsync(fd)
    #endif
    return result == 0 ? nil : errno
  }

  /// Makes a rename or file creation in `directory` durable.
  static func syncDirectory(_ directory: String) throws(EventLogError) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd < 0 { throw ioError("opening directory", directory) }
    defer { close(fd) }
    if fsync(fd) != 0 { throw ioError("syncing directory", directory) }
  }

  static func fileSize(_ fd: Int32, _ path: String) throws(EventLogError) -> UInt64 {
    var info = stat()
    if fstat(fd, &info) != 0 { throw ioError("reading the size of", path) }
    return UInt64(info.st_size)
  }

  static func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  static func isDirectory(_ path: String) -> Bool? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT) == S_IFDIR
  }

  static func truncate(_ fd: Int32, to size: UInt64, _ path: String) throws(EventLogError) {
    if ftruncate(fd, off_t(size)) != 0 { throw ioError("truncating", path) }
  }

  /// Reads up to `count` bytes at `offset`; returns bytes read (0 at end of file).
  static func readAt(
    _ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: UInt64,
    _ path: String
  ) throws(EventLogError) -> Int {
    while true {
      let result = pread(fd, buffer, count, off_t(offset))
      if result >= 0 { return result }
      if errno != EINTR { throw ioError("reading", path) }
    }
  }

  /// Copies bytes `[from, to)` of `source` to the end of `destination`.
  static func copyRange(
    from source: Int32, _ sourcePath: String, range: Range<UInt64>, to destination: Int32,
    _ destinationPath: String
  ) throws(EventLogError) {
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    var offset = range.lowerBound
    while offset < range.upperBound {
      let wanted = Int(min(UInt64(chunk), range.upperBound - offset))
      let got = try readAt(source, buffer.baseAddress!, wanted, offset, sourcePath)
      if got == 0 {
        throw .io(operation: "copying", path: sourcePath, reason: "file ended early")
      }
      if let code = writeAll(destination, UnsafeRawBufferPointer(rebasing: buffer[0..<got])) {
        throw ioError("writing", destinationPath, code)
      }
      offset += UInt64(got)
    }
  }
}

/// Writes `message` to standard error and ends the process at once with status 70
/// (`EX_SOFTWARE`): the default ``EventLogOptions/unrecoverableFailure``. `_exit`, not `exit`,
/// so no other thread runs on while exit handlers tear the process down.
public func exitAfterUnrecoverableFailure(_ message: String) -> Never {
  StandardError.writeLine(message)
  _exit(70)
}
