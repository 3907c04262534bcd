import Foundation
import HTTPTestSupport

/// A program the operations tests run (nginx, openssl, curl, systemd-analyze, unshare).
enum ExternalTool {
  static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

  /// The path of `name` on `PATH` (or in /usr/sbin, /sbin), or nil.
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    return directories.map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// Whether all of `names` are installed.
  static func available(_ names: [String]) -> Bool { names.allSatisfy { find($0) != nil } }

  /// The path of `name`; a missing tool is an error (the test fails, never skips, in CI).
  static func require(_ name: String, package: String) throws -> String {
    guard let found = find(name) else {
      throw TestError("\(name) is not installed: run scripts/setup (apt-get install \(package))")
    }
    return found
  }

  /// Runs `tool arguments...` in `directory` to completion (at most `seconds`).
  static func run(
    _ tool: String, _ arguments: [String], in directory: String, seconds: Int = 60
  ) throws -> StorefrontResult {
    let child = try StorefrontChild(
      arguments, workDirectory: directory, testDefaults: false,
      executable: URL(fileURLWithPath: tool))
    let status = try child.waitForExit(seconds: seconds)
    return StorefrontResult(
      status: status, standardOutput: child.standardOutput, standardError: child.standardError)
  }
}
