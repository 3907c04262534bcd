import Foundation
import JSON
import Logging
import Primitives

/// The server's end of the control socket (see ``ControlSocket``): created once the data
/// directory is locked (so it belongs to the directory's owner), answered from ``serve(_:)``
/// on, one connection at a time, on a thread of its own. Connections made before that wait in
/// the socket's backlog (a command sent during replay runs once the log is open).
///
/// Only the server's own user (or root) may use it: the socket is 0600 in a 0700 directory,
/// and each peer's uid is checked (`SO_PEERCRED`).
final class ControlServer: Sendable {
  /// What answers one command: the request object and the connection (for data frames); returns
  /// the final frame.
  typealias Handler = @Sendable (JSONValue, ControlConnection) async -> JSONValue

  let path: String
  private let listenFD: Int32
  private let wakeRead: Int32
  private let wakeWrite: Int32
  private let started = Locked(false)
  private let exited = DispatchSemaphore(value: 0)
  private let logger: Logger

  private init(path: String, listenFD: Int32, wake: (Int32, Int32), logger: Logger) {
    self.path = path
    self.listenFD = listenFD
    self.wakeRead = wake.0
    self.wakeWrite = wake.1
    self.logger = logger
  }

  /// Binds `<dataDir>/control.sock` (replacing a stale one: the caller holds the directory's
  /// lock) with mode 0600 and listens.
  static func listen(dataDir: String, logger: Logger) throws(ControlError) -> ControlServer {
    let path = ControlSocket.path(dataDir: dataDir)
    unlink(path)
    let fd = try ControlSocket.makeSocket()
    let bound = try ControlSocket.withAddress(dataDir: dataDir) { bind(fd, $0, $1) }
    if bound != 0 {
      let text = String(cString: strerror(errno))
      Glibc.close(fd)
      throw ControlError("cannot bind the control socket \(path): \(text)")
    }
    guard chmod(path, 0o600) == 0, Glibc.listen(fd, 16) == 0 else {
      let text = String(cString: strerror(errno))
      Glibc.close(fd)
      unlink(path)
      throw ControlError("cannot listen on the control socket \(path): \(text)")
    }
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      Glibc.close(fd)
      unlink(path)
      throw ControlError("cannot create a pipe for the control socket")
    }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    return ControlServer(path: path, listenFD: fd, wake: (ends[0], ends[1]), logger: logger)
  }

  /// Starts answering connections with `handler`.
  func serve(_ handler: @escaping Handler) {
    let first = started.withLock { started in
      defer { started = true }
      return !started
    }
    guard first else { return }
    let thread = Thread { [self] in
      run(handler)
      exited.signal()
    }
    thread.name = "storefront-control"
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Stops accepting, lets a command in progress finish (waiting at most `timeout`), removes
  /// the socket. Connections still waiting in the backlog are closed unanswered.
  func close(timeout: Duration) {
    var byte: UInt8 = 1
    _ = write(wakeWrite, &byte, 1)
    let running = started.withLock { started in
      defer { started = true }
      return started
    }
    if running {
      let (seconds, attoseconds) = timeout.components
      let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
      if exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
        logger.warning("control socket: a command was still running at shutdown")
        unlink(path)
        return
      }
    }
    unlink(path)
    Glibc.close(listenFD)
    Glibc.close(wakeRead)
    Glibc.close(wakeWrite)
  }

  private func run(_ handler: @escaping Handler) {
    while true {
      var ready = [
        pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
      ]
      let count = poll(&ready, 2, -1)
      if count < 0 {
        if errno == EINTR { continue }
        logger.error("control socket: poll failed: \(String(cString: strerror(errno)))")
        return
      }
      if ready[1].revents != 0 { return }
      guard ready[0].revents != 0 else { continue }
      let client = accept(listenFD, nil, nil)
      if client < 0 { continue }
      _ = fcntl(client, F_SETFD, FD_CLOEXEC)
      answer(client, handler)
      Glibc.close(client)
    }
  }

  private func answer(_ client: Int32, _ handler: @escaping Handler) {
    ControlSocket.setTimeouts(client, seconds: 60)
    let connection = ControlConnection(fd: client)
    guard let uid = Self.peerUID(client), uid == geteuid() || uid == 0 else {
      connection.finish(AdminOutcome(status: 1, stderr: "control: permission denied"))
      return
    }
    let request: JSONValue
    do {
      guard let line = try ControlReader(fd: client).line(limit: ControlSocket.maxRequestBytes)
      else { return }
      request = try JSONParser.parse(line)
    } catch {
      connection.finish(AdminOutcome(status: 2, stderr: "control: bad request: \(error)"))
      return
    }
    let result = Locked<JSONValue?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
      let answer = await handler(request, connection)
      result.withLock { $0 = answer }
      done.signal()
    }
    done.wait()
    if let final = result.withLock({ $0 }) { connection.send(line: final) }
  }

  /// The uid of the process on the other end of `fd`.
  private static func peerUID(_ fd: Int32) -> UInt32? {
    // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (not imported into Swift).
    var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
    var size = socklen_t(MemoryLayout.size(ofValue: credentials))
    guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0 else { return nil }
    return credentials.uid
  }
}

/// One accepted control connection, for the command's frames. Writes only; the control thread
/// waits while the command (and whichever thread it streams from) uses it.
struct ControlConnection: Sendable {
  let fd: Int32

  /// Sends `data` in data frames of at most ``ControlSocket/maxDataBytes``.
  func send(data: [UInt8]) throws(ControlError) {
    var start = 0
    while start < data.count {
      let end = min(data.count, start + ControlSocket.maxDataBytes)
      var frame = ControlSocket.line(.object(["data": .int(end - start)]))
      frame.append(contentsOf: data[start..<end])
      try ControlSocket.writeAll(fd, frame)
      start = end
    }
  }

  /// Sends a frame line; a client gone meanwhile is ignored.
  func send(line value: JSONValue) {
    try? ControlSocket.writeAll(fd, ControlSocket.line(value))
  }

  /// Sends `outcome` as the final frame.
  func finish(_ outcome: AdminOutcome) { send(line: outcome.frame()) }
}
