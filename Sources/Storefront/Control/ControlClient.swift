import Foundation
import JSON

/// The command side of the control socket (see ``ControlSocket``).
final class ControlClient {
  private let fd: Int32

  private init(fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  /// Connects to the control socket of `dataDir`; nil when no server listens there (no socket,
  /// or one left by a server that is gone).
  static func connect(dataDir: String) throws(ControlError) -> ControlClient? {
    let fd = try ControlSocket.makeSocket()
    let result = try ControlSocket.withAddress(dataDir: dataDir) { Glibc.connect(fd, $0, $1) }
    if result != 0 {
      let code = errno
      close(fd)
      if code == ENOENT || code == ECONNREFUSED || code == ENOTDIR { return nil }
      throw ControlError(
        "cannot connect to \(ControlSocket.path(dataDir: dataDir)): \(String(cString: strerror(code)))"
      )
    }
    // A long replay or compaction may keep the answer a while; a dead server ends the wait.
    ControlSocket.setTimeouts(fd, seconds: 3600)
    return ControlClient(fd: fd)
  }

  /// Sends `request`, hands data frames to `data`, and returns the final frame.
  func call(_ request: JSONValue, data: ([UInt8]) throws -> Void) throws -> JSONValue {
    try ControlSocket.writeAll(fd, ControlSocket.line(request))
    let reader = ControlReader(fd: fd)
    while true {
      guard let line = try reader.line(limit: ControlSocket.maxFrameLineBytes) else {
        throw ControlError("the server closed the control connection without answering")
      }
      let frame = try JSONParser.parse(line)
      if let count = frame["data"]?.intValue {
        guard count > 0, count <= ControlSocket.maxDataBytes else {
          throw ControlError("the server sent a data frame of \(count) bytes")
        }
        try data(try reader.bytes(count))
        continue
      }
      return frame
    }
  }
}
