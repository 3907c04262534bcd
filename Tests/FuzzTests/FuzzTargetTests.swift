import Foundation
import Testing

/// Every libFuzzer target of fuzz/ builds and fuzzes for about 15 s without a crash, a slow
/// input or a failed invariant (fuzz/run; see fuzz/README.md).
@Suite("libFuzzer targets (fuzz/run)", .serialized)
struct FuzzTargetTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let seconds = 15

  /// Whether swiftc has the libFuzzer runtime (`fuzz/run check`).
  static let canBuild = FuzzRun.run(["check"]).status == 0
  static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
  /// The targets fuzz/run knows (one per parser).
  static let targets = FuzzRun.run(["list"]).output.split(separator: "\n").map(String.init)

  @Test func everyParserHasATarget() {
    #expect(
      Set(Self.targets).isSuperset(of: [
        "json", "form", "token-header", "router", "log-line", "http-framing",
      ]))
  }

  @Test(
    "the target fuzzes for 15 s without a finding",
    // Under CI=true a missing fuzzer runtime fails the run below instead of skipping it.
    .enabled(if: canBuild || inCI, "swiftc has no libFuzzer runtime (libclang_rt.fuzzer)"),
    .timeLimit(.minutes(10)),
    arguments: targets)
  func fuzz(target: String) {
    let result = FuzzRun.run([target, String(Self.seconds)])
    guard result.status != 3 else {
      Issue.record("the toolchain cannot build fuzz targets:\n\(result.output)")
      return
    }
    #expect(result.status == 0, "fuzz/run \(target) failed:\n\(result.output.suffix(4000))")
    // "json: 1234 executions in 15s, corpus 56 files (789 bytes)"
    let summary = result.output.split(separator: "\n").last { $0.hasPrefix("\(target): ") }
    let executions = summary?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    #expect((executions ?? 0) > 0, "no executions reported:\n\(result.output)")
  }
}

/// Runs fuzz/run in the repository.
enum FuzzRun {
  /// `fuzz/run arguments...`: exit status and the combined output.
  static func run(_ arguments: [String]) -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory
      .appendingPathComponent("fuzz-run-\(UUID().uuidString).log")
    defer { try? FileManager.default.removeItem(at: log) }
    do {
      guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
        return (-1, "could not create \(log.path)")
      }
      let handle = try FileHandle(forWritingTo: log)
      defer { try? handle.close() }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/bash")
      process.arguments = [FuzzTargetTests.root.appendingPathComponent("fuzz/run").path] + arguments
      process.currentDirectoryURL = FuzzTargetTests.root
      process.standardOutput = handle
      process.standardError = handle
      try process.run()
      process.waitUntilExit()
      let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      return (process.terminationStatus, output)
    } catch {
      return (-1, "could not run fuzz/run: \(error)")
    }
  }
}
