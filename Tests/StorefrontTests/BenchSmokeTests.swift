import Foundation
import Testing

/// `bench/run --smoke`: the benchmark works end to end (build of the floor, seeding, every
/// scenario once for a second, the floor alternation, the table). No timing is asserted.
@Suite("bench/run --smoke", .serialized)
struct BenchSmokeTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let script = root.appendingPathComponent("bench/run").path

  static var wrkInstalled: Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/wrk")
    }
  }

  /// The `storefront` built with this test bundle (same directory), else the release build,
  /// else nil (bench/run then builds release itself, which takes minutes).
  static var serverBinary: String? {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [
      besideTests.appendingPathComponent("storefront").path,
      besideTests.deletingLastPathComponent().appendingPathComponent("storefront").path,
      root.appendingPathComponent(".build/debug/storefront").path,
      root.appendingPathComponent(".build/release/storefront").path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs bench/run with `arguments`; returns (exit status, stdout, stderr).
  static func run(_ arguments: [String]) throws -> (Int32, String, String) {
    let directory = try TemporaryDirectory()
    let child = try StorefrontChild(
      [script] + arguments, workDirectory: directory.path, testDefaults: false,
      executable: URL(fileURLWithPath: "/bin/bash"))
    let status = try child.waitForExit(seconds: 900)
    return (status, child.standardOutput, child.standardError)
  }

  @Test("--help describes the options")
  func help() throws {
    let (status, out, _) = try Self.run(["--help"])
    #expect(status == 0)
    #expect(out.contains("--scenarios"))
    #expect(out.contains("--smoke"))
    #expect(out.contains("--quiet-logs"))
  }

  @Test(
    "--smoke runs every scenario and prints a table",
    // Under CI=true a missing wrk fails the run below instead of skipping it.
    .enabled(
      if: wrkInstalled || ProcessInfo.processInfo.environment["CI"] == "true",
      "wrk is not installed: run scripts/setup --bench (apt-get install wrk)"),
    .timeLimit(.minutes(15)))
  func smoke() throws {
    var arguments = ["--smoke"]
    if let binary = Self.serverBinary { arguments += ["--binary", binary] }
    let (status, out, err) = try Self.run(arguments)
    #expect(status == 0, "bench/run --smoke failed:\n\(err.suffix(4000))")
    let lines = out.split(separator: "\n")
    #expect(
      lines.contains { $0.hasPrefix("| scenario | workers | logs | req/s |") }, "no table:\n\(out)")
    for scenario in [
      "health", "catalog", "categories", "order-create", "my-orders", "mixed", "login-storm",
      "connections", "catalog-page-100", "catalog-page-100k", "catalog-search",
      "catalog-search-100k", "catalog-filter-100k", "order-create-idempotent",
      "order-create-replay",
    ] {
      #expect(
        lines.contains { $0.hasPrefix("| \(scenario) | 1 | default |") },
        "no row for \(scenario):\n\(out)")
    }
    // The big catalog template: --smoke writes 1,000 products into its event log, the server
    // loads them (bench.py checks the count and the last product), the capture checks each
    // scan's match count; the goal row compares the two pages of the same run.
    #expect(
      lines.contains {
        $0.hasPrefix("| catalog-page-100k | 1 | default |")
          && $0.contains("1,000 products, page of 20 at offset 500")
      }, "no 1,000-product page row:\n\(out)")
    #expect(
      lines.contains {
        $0.hasPrefix("| catalog-search-100k | 1 | default |")
          && $0.contains("1,000 products, 271 match, page of 20")
      }, "no 1,000-product search row:\n\(out)")
    #expect(
      lines.contains {
        $0.hasPrefix("| catalog-page, 1 worker: at 1,000 products >= 0.80 of at 100 ")
      },
      "no catalog-page goal row:\n\(out)")
    #expect(err.contains("smoke: ok"))
  }
}
