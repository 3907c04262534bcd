import Foundation
import HTTPTestSupport
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A child process (the built `storefront` executable unless told otherwise), waited for through its termination
/// handler: `Process.waitUntilExit()` spins a run loop that can miss the child's exit when it
/// is called off the main thread under load (the suite then hangs), so it is never used here.
///
/// Every method blocks: call them inside ``ClientThreads``.
final class StorefrontChild: Sendable {
  /// The environment every child gets: fast hashing, quiet logs.
  static let environment = [
    "STOREFRONT_AUTH_PBKDF2_ITERATIONS": String(APITestServer.testIterations),
    "STOREFRONT_LOG_LEVEL": "warning",
  ]

  let process: Process
  let outputPath: String
  let errorPath: String
  private let exit = ExitBox()

  /// The exit status, signalled from the termination handler's thread.
  private final class ExitBox: Sendable {
    let exited = DispatchSemaphore(value: 0)
    let status = Locked<Int32?>(nil)
  }

  /// Starts `storefront arguments...` in `workDirectory` with no `STOREFRONT_*` variables but
  /// ``environment`` and `environment`; output goes to files in `workDirectory`.
  init(
    _ arguments: [String], workDirectory: String, environment: [String: String] = [:],
    testDefaults: Bool = true, executable: URL? = nil
  ) throws {
    let process = Process()
    process.executableURL = try executable ?? StorefrontProcess.executable()
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
    var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STOREFRONT_") }
    if testDefaults { merged.merge(Self.environment) { _, new in new } }
    merged.merge(environment) { _, new in new }
    process.environment = merged
    let name = UUID().uuidString
    outputPath = workDirectory + "/\(name).stdout"
    errorPath = workDirectory + "/\(name).stderr"
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    defer {
      try? output.close()
      try? errors.close()
    }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errors
    self.process = process
    // Registered before run(), so a child that exits at once is not missed.
    process.terminationHandler = { [exit] finished in
      exit.status.withLock { $0 = finished.terminationStatus }
      exit.exited.signal()
    }
    try process.run()
  }

  /// Waits for the child to exit (at most `seconds`, then it is killed) and returns its
  /// status.
  @discardableResult
  func waitForExit(seconds: Int = 60) throws -> Int32 {
    if exit.exited.wait(timeout: .now() + .seconds(seconds)) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      _ = exit.exited.wait(timeout: .now() + .seconds(10))
      throw TestError("storefront \(process.arguments ?? []) did not exit in \(seconds) s")
    }
    exit.exited.signal()  // Later waits return at once.
    return exit.status.withLock { $0 } ?? -1
  }

  var hasExited: Bool { exit.status.withLock { $0 } != nil }

  var standardOutput: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
  var standardError: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

  /// Sends `signal` and waits for the exit status.
  func stop(with signal: Int32) throws -> Int32 {
    kill(process.processIdentifier, signal)
    return try waitForExit()
  }
}

/// `storefront serve` as a child process on a port picked for it, for kill -9 tests and the
/// seed walk-through. Blocking: use inside ``ClientThreads``.
final class APIServeProcess: Sendable {
  let child: StorefrontChild
  let port: Int

  /// A TCP port that was free a moment ago.
  static func freePort() throws -> Int { try FreePort.pick() }

  /// Starts `storefront serve --port <free> --data-dir <dataDir> --workers 2` in `workDirectory`
  /// and waits until `GET waitFor` answers 200 (by default `/api/ready/`: the log is
  /// replayed; `/api/health/` answers as soon as the server listens).
  init(
    dataDir: String, workDirectory: String, environment: [String: String] = [:],
    waitFor: String = "/api/ready/"
  ) throws {
    port = try Self.freePort()
    child = try StorefrontChild(
      ["serve", "--port", String(port), "--data-dir", dataDir, "--workers", "2"],
      workDirectory: workDirectory, environment: environment)
    try waitUntilReady(waitFor)
  }

  var standardError: String { child.standardError }

  private func waitUntilReady(_ path: String) throws {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      guard !child.hasExited else {
        throw TestError("storefront serve exited early: \(standardError)")
      }
      if let connection = try? TestConnection(port: port, timeout: 5),
        let response = try? connection.request("GET", path), response.status == 200
      {
        connection.close()
        return
      }
      usleep(20_000)
    }
    _ = try? child.stop(with: SIGKILL)
    throw TestError("storefront serve did not answer on port \(port): \(standardError)")
  }

  /// Sends SIGKILL and waits for the process to be gone.
  func killHard() throws { _ = try child.stop(with: SIGKILL) }

  /// Sends SIGTERM, waits, and returns the exit status.
  func terminate() throws -> Int32 { try child.stop(with: SIGTERM) }
}

/// What a finished `storefront` command printed and returned.
struct StorefrontResult: Sendable {
  var status: Int32
  var standardOutput: String
  var standardError: String
}

/// Runs `storefront arguments...` to completion on a client thread, in a scratch working
/// directory, with ``StorefrontChild/environment`` plus `environment`.
func runStorefront(
  _ arguments: [String], environment: [String: String] = [:]
) async throws -> StorefrontResult {
  try await ClientThreads.one {
    let work = try APIDataDirectory()
    let child = try StorefrontChild(arguments, workDirectory: work.path, environment: environment)
    let status = try child.waitForExit()
    return StorefrontResult(
      status: status, standardOutput: child.standardOutput, standardError: child.standardError)
  }
}
