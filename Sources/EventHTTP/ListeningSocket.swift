import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Creates bound, listening, non-blocking TCP sockets.
enum ListeningSocket {
  /// Binds `host:port` (port 0: ephemeral) and returns the descriptor and the bound port.
  static func make(host: String, port: Int, reusePort: Bool, backlog: Int32) throws -> (
    fd: Int32, port: Int
  ) {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw EventHTTPError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(list) }
    let info = first.pointee
    let fd = socket(
      info.ai_family,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw EventHTTPError("socket(): \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    if reusePort {
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
    }
    guard bind(fd, info.ai_addr, info.ai_addrlen) == 0 else {
      let message = String(cString: strerror(errno))
      close(fd)
      throw EventHTTPError("cannot listen on \(host):\(port): \(message)")
    }
    guard listen(fd, backlog) == 0 else {
      let message = String(cString: strerror(errno))
      close(fd)
      throw EventHTTPError("listen() on \(host):\(port): \(message)")
    }
    return (fd, boundPort(fd))
  }

  static func boundPort(_ fd: Int32) -> Int {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let family = storage.ss_family
    return withUnsafePointer(to: &storage) { pointer in
      if family == sa_family_t(AF_INET6) {
        return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
          Int(UInt16(bigEndian: $0.pointee.sin6_port))
        }
      }
      return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
        Int(UInt16(bigEndian: $0.pointee.sin_port))
      }
    }
  }
}
