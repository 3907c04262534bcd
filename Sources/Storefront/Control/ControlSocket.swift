import Foundation
import JSON

/// The data directory's control socket (`<data_dir>/control.sock`, a Unix stream socket, mode
/// 0600), over which `storefront createsuperuser`, `log compact` and `backup` reach the server
/// that holds the directory.
///
/// The protocol, one command per connection: the client sends one JSON object on one line
/// (`{"command": "createsuperuser", "username": ..., "email": ..., "password": ...}`,
/// `{"command": "compact"}` or `{"command": "backup"}`); the server answers with frames:
/// any number of `{"data": N}` lines each followed by N raw bytes (a backup's content), then one
/// final line `{"status": S, "stdout": "...", "stderr": "..."}` (a backup's also carries
/// `"backup": {"sequence": ..., "records": ..., "bytes": ...}`).
enum ControlSocket {
  static let fileName = "control.sock"
  /// The longest request line (a command with its arguments).
  static let maxRequestBytes = 64 << 10
  /// The longest frame line from the server (the final one holds the command's output).
  static let maxFrameLineBytes = 1 << 20
  /// The largest data frame.
  static let maxDataBytes = 1 << 20

  /// The socket's path in `dataDir`.
  static func path(dataDir: String) -> String {
    var directory = dataDir
    while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
    return directory + "/" + fileName
  }

  /// Calls `body` with the address of the socket in `dataDir`. A path too long for
  /// `sun_path` is reached through `/proc/self/fd/<directory descriptor>/control.sock`.
  static func withAddress<R>(
    dataDir: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R
  ) throws(ControlError) -> R {
    let path = path(dataDir: dataDir)
    var directoryFD: Int32 = -1
    defer { if directoryFD >= 0 { close(directoryFD) } }
    var address = sockaddr_un()
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    var name = path
    if path.utf8.count >= capacity {
      directoryFD = open(dataDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if directoryFD < 0 {
        throw ControlError("cannot open \(dataDir): \(String(cString: strerror(errno)))")
      }
      name = "/proc/self/fd/\(directoryFD)/\(fileName)"
    }
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      let bytes = Array(name.utf8)
      raw.copyBytes(from: bytes)
      raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
  }

  /// A new Unix stream socket (close-on-exec).
  static func makeSocket() throws(ControlError) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    if fd < 0 {
      throw ControlError("cannot create a Unix socket: \(String(cString: strerror(errno)))")
    }
    return fd
  }

  /// Sets both directions' timeouts of `fd` to `seconds`.
  static func setTimeouts(_ fd: Int32, seconds: Int) {
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    let size = socklen_t(MemoryLayout<timeval>.size)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
  }

  /// Writes every byte of `bytes` (retrying short writes and EINTR; never raises SIGPIPE).
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(ControlError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw in
        send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw ControlError(
          "writing to the control socket failed: \(String(cString: strerror(errno)))")
      }
      offset += written
    }
  }

  /// One JSON frame line.
  static func line(_ value: JSONValue) -> [UInt8] {
    var bytes = value.encoded()
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }
}

/// Reads lines and byte runs from a socket through a buffer, each bounded.
final class ControlReader {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0

  init(fd: Int32) { self.fd = fd }

  /// The next line without its newline; nil at end of input before any byte of it.
  func line(limit: Int) throws(ControlError) -> [UInt8]? {
    while true {
      if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
        let line = Array(buffer[start..<newline])
        start = newline + 1
        return line
      }
      if buffer.count - start > limit { throw ControlError("a control message is too long") }
      if try !fill() {
        if buffer.count == start { return nil }
        throw ControlError("the control connection ended in the middle of a message")
      }
    }
  }

  /// Exactly `count` bytes.
  func bytes(_ count: Int) throws(ControlError) -> [UInt8] {
    while buffer.count - start < count {
      if try !fill() { throw ControlError("the control connection ended in the middle of data") }
    }
    let bytes = Array(buffer[start..<(start + count)])
    start += count
    return bytes
  }

  /// Reads more; false at end of input.
  private func fill() throws(ControlError) -> Bool {
    if start > 0 {
      buffer.removeFirst(start)
      start = 0
    }
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if got > 0 {
        buffer.append(contentsOf: chunk[0..<got])
        return true
      }
      if got == 0 { return false }
      if errno == EINTR { continue }
      if errno == EAGAIN || errno == EWOULDBLOCK {
        throw ControlError("the control connection timed out")
      }
      throw ControlError("reading the control socket failed: \(String(cString: strerror(errno)))")
    }
  }
}

/// A failure of the control connection, worded for the operator.
struct ControlError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
