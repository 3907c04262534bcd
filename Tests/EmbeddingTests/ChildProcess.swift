import Foundation

/// The outcome of a finished child process.
struct ProcessOutput: Sendable {
  var status: Int32
  var exitedNormally: Bool
  var stdout: String
  var stderr: String
}

/// Runs programs for the tests: to completion, or in the background with their stderr in a file.
enum ChildProcess {
  /// The environment every child gets: fast password hashing, quieter logs.
  static func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["STOREFRONT_AUTH_PBKDF2_ITERATIONS"] = "1000"
    environment["STOREFRONT_LOG_LEVEL"] = "warning"
    environment.merge(extra) { _, new in new }
    return environment
  }

  /// Runs `executable` to completion and collects its output (stderr through a file, so a
  /// chatty child never blocks on a full pipe).
  static func run(
    _ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
    directory: String? = nil
  ) throws -> ProcessOutput {
    let scratch = try TemporaryDirectory("storefront-run")
    let errorPath = scratch.path + "/stderr"
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment(extra)
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutput(
      status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
      stdout: String(decoding: stdout, as: UTF8.self),
      stderr: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
  }
}
