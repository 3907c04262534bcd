#if canImport(Glibc)
  import Glibc
#endif

/// The self-pipe behind `storefront_stop`: writing one byte is all a signal handler may do,
/// and `storefront_serve` sleeps in `poll` on the other end.
struct StopPipe: Sendable {
  let readEnd: Int32
  let writeEnd: Int32

  /// Creates the pipe, both ends non-blocking and close-on-exec (set right after creation:
  /// `pipe2` is not visible from Swift's Glibc module).
  static func make() throws(CAPIError) -> StopPipe {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw CAPIError(.event, "storefront_open: pipe failed: \(String(cString: strerror(errno)))")
    }
    for end in ends {
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
    }
    return StopPipe(readEnd: ends[0], writeEnd: ends[1])
  }

  /// Requests a stop. Async-signal-safe: one `write`, and a full pipe already means "stop".
  func signal() {
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Blocks until a stop was requested (possibly before this call), then consumes the requests.
  func waitAndConsume() {
    var watched = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
    while poll(&watched, 1, -1) < 0 && errno == EINTR {}
    var sink = [UInt8](repeating: 0, count: 64)
    while read(readEnd, &sink, sink.count) > 0 {}
  }

  func close() {
    _ = Glibc.close(readEnd)
    _ = Glibc.close(writeEnd)
  }
}
