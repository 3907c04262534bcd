import Foundation
import HTTPTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// The example C host running in the background on a free port.
final class HostProcess {
  let process = Process()
  let port: Int
  let stderrPath: String
  private let scratch: TemporaryDirectory

  /// Starts `host 0 dataDir` (with ``ChildProcess/environment(_:)`` plus `environment`) and
  /// waits for its "listening on 127.0.0.1:<port>" line.
  init(dataDir: String, environment: [String: String] = [:]) throws {
    let artifacts = try CArtifacts.get()
    scratch = try TemporaryDirectory("storefront-host")
    stderrPath = scratch.path + "/stderr"
    _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: artifacts.host)
    process.arguments = ["0", dataDir]
    process.environment = ChildProcess.environment(environment)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
    try process.run()
    var line = Data()
    let reader = output.fileHandleForReading
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = reader.availableData
      if chunk.isEmpty { break }
      line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let range = text.range(of: "listening on 127.0.0.1:"),
      let port = Int(text[range.upperBound...].prefix(while: \.isNumber))
    else {
      process.waitUntilExit()
      let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
      throw TestError("the host did not start: \(text)\n\(stderr)")
    }
    self.port = port
  }

  deinit {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
  }

  var pid: Int32 { process.processIdentifier }

  /// What the host wrote to standard error so far.
  var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

  /// Sends SIGTERM and waits for the exit; returns the exit status (-1 when killed by a signal).
  func terminate() -> Int32 {
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    return process.terminationReason == .exit ? process.terminationStatus : -1
  }
}
