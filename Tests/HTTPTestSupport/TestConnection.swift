import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A parsed HTTP/1.1 response as a test sees it.
public struct TestResponse: Sendable {
  public var status: Int
  /// Header names lower-cased.
  public var headers: [String: String]
  public var body: [UInt8]

  public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client connection over a real loopback socket, for tests.
// Used by one thread at a time: tests hand a connection to another thread only after the
// previous user has finished with it (sequential hand-off, no concurrent use).
public final class TestConnection: @unchecked Sendable {
  public let fd: Int32
  private var buffer: [UInt8] = []

  /// Connects to `127.0.0.1:port`; reads time out after `timeout` seconds.
  public init(port: Int, timeout: Int = 20) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestError("socket: \(String(cString: strerror(errno)))") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    // No close here: `deinit` runs for a throwing init too and closes `fd` exactly once.
    guard result == 0 else {
      throw TestError("connect to port \(port): \(String(cString: strerror(errno)))")
    }
    var time = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { Glibc.close(fd) }

  /// Closes the socket now (the server sees the client go away).
  public func close() { shutdown(fd, Int32(SHUT_RDWR)) }

  /// Writes raw bytes.
  public func send(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard written > 0 else { throw TestError("send: \(String(cString: strerror(errno)))") }
      offset += written
    }
  }

  /// Sends a request without reading the answer.
  public func sendRequest(
    _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
  ) throws {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if let body { head += "Content-Length: \(body.count)\r\n" }
    head += "\r\n"
    try send(Array(head.utf8) + (body ?? []))
  }

  /// Sends a request and reads its response.
  public func request(
    _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
  ) throws -> TestResponse {
    try sendRequest(method, path, headers: headers, body: body)
    return try readResponse(method: method)
  }

  /// Reads one response (Content-Length framed; HEAD responses have no body).
  public func readResponse(method: String = "GET") throws -> TestResponse {
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    var headerEnd: Int?
    while headerEnd == nil {
      headerEnd = buffer.firstRange(of: separator)?.upperBound
      if headerEnd == nil { try fill() }
    }
    let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
      throw TestError("bad status line in \(head)")
    }
    var headers: [String: String] = [:]
    for line in lines where !line.isEmpty {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let length = method == "HEAD" ? 0 : Int(headers["content-length"] ?? "0") ?? 0
    while buffer.count < headerEnd! + length { try fill() }
    let body = Array(buffer[headerEnd!..<(headerEnd! + length)])
    buffer.removeFirst(headerEnd! + length)
    return TestResponse(status: status, headers: headers, body: body)
  }

  /// Whether the server closed the connection (reads EOF within `timeout` seconds).
  public func readsEOF() -> Bool {
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, 0) == 0
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let count = recv(fd, &chunk, chunk.count, 0)
    guard count > 0 else {
      throw TestError(
        count == 0 ? "connection closed by server" : "recv: \(String(cString: strerror(errno)))")
    }
    buffer.append(contentsOf: chunk[..<count])
  }
}

/// A failure inside the test client.
public struct TestError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
