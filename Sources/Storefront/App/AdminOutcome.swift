import EventLog
import JSON
import Primitives

/// What an admin command prints and its exit status: the same whether it ran in the server
/// that holds the data directory (through its control socket) or in the command's own process.
public struct AdminOutcome: Sendable, Equatable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String = "", stderr: String = "") {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }

  /// Prints the output (each part as one line) and returns the status.
  func printed() -> Int32 {
    if !stdout.isEmpty { print(stdout) }
    if !stderr.isEmpty { StandardError.writeLine(stderr) }
    return status
  }

  /// The final frame of a control connection (with `extra` members).
  func frame(_ extra: [JSONObject.Member] = []) -> JSONValue {
    .object(
      JSONObject(
        [
          .init("status", .int(Int(status))), .init("stdout", .string(stdout)),
          .init("stderr", .string(stderr)),
        ] + extra))
  }

  /// Reads a final frame; nil when it is not one.
  init?(frame: JSONValue) {
    guard let status = frame["status"]?.intValue, let code = Int32(exactly: status) else {
      return nil
    }
    self.init(
      status: code, stdout: frame["stdout"]?.stringValue ?? "",
      stderr: frame["stderr"]?.stringValue ?? "")
  }
}
