import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The `EventLogCrashChild` executable, spawned with its stdout on a pipe.
final class ChildProcess {
  let pid: pid_t
  private let output: Int32
  private var pending: [UInt8] = []
  private var reaped = false

  /// The child executable sits next to the test bundle in the build directory.
  static var executable: String {
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    return URL(fileURLWithPath: me).deletingLastPathComponent()
      .appendingPathComponent("EventLogCrashChild").path
  }

  /// Starts the child with this process's environment plus `environment`.
  init(_ arguments: [String], environment: [String: String] = [:]) throws {
    var fds: [Int32] = [0, 0]
    // Atomically close-on-exec, so children spawned by tests running in parallel never inherit
    // this pipe's write end (which would keep `readLine` from seeing end of file).
    let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else { throw POSIXError(.EIO) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    let argv = ([ChildProcess.executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var variables = ProcessInfo.processInfo.environment
    variables.merge(environment) { _, new in new }
    let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in envp { free(pointer) } }
    var child = pid_t()
    let result = posix_spawn(&child, ChildProcess.executable, &actions, nil, argv, envp)
    close(fds[1])
    guard result == 0 else {
      close(fds[0])
      throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
    }
    pid = child
    output = fds[0]
  }

  deinit {
    if !reaped {
      Glibc.kill(pid, SIGKILL)
      _ = waitForExit()
    }
    close(output)
  }

  /// The next line of output, or nil at end of file.
  func readLine() -> String? {
    while true {
      if let newline = pending.firstIndex(of: 0x0A) {
        let line = String(decoding: pending[..<newline], as: UTF8.self)
        pending.removeSubrange(...newline)
        return line
      }
      var chunk = [UInt8](repeating: 0, count: 4096)
      let got = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, 4096) }
      if got < 0 && errno == EINTR { continue }
      if got <= 0 {
        if pending.isEmpty { return nil }
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
      }
      pending.append(contentsOf: chunk[0..<got])
    }
  }

  /// Every remaining line until the child closes its output.
  func remainingLines() -> [String] {
    var lines: [String] = []
    while let line = readLine() { lines.append(line) }
    return lines
  }

  func kill(_ signal: Int32 = SIGKILL) { Glibc.kill(pid, signal) }

  /// Waits for the child; returns the raw wait status.
  @discardableResult
  func waitForExit() -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    reaped = true
    return status
  }
}
