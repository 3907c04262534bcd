import Foundation
import HTTPTestSupport
import Testing

/// Wrong calls from C get an error code and a readable message, never an abort.
@Suite(.serialized)
struct BadCallTests {
  /// Runs bad_calls and returns its lines as name -> (code, message).
  private static func run(_ arguments: [String], environment: [String: String] = [:]) throws
    -> [String: (code: Int, message: String)]
  {
    let program = try CArtifacts.get().badCalls
    let output = try ChildProcess.run(program, arguments, environment: environment)
    guard output.status == 0, output.exitedNormally else {
      throw TestError(
        "bad_calls \(arguments) exited \(output.status):\n\(output.stdout)\(output.stderr)")
    }
    var results: [String: (code: Int, message: String)] = [:]
    for line in output.stdout.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
      guard parts.count == 3, let code = Int(parts[1]) else { continue }
      results[parts[0]] = (code, parts[2])
    }
    return results
  }

  @Test func openWhereTheParentIsMissing() throws {
    let scratch = try TemporaryDirectory()
    let results = try Self.run(["open", scratch.path + "/missing/data"])
    let open = try #require(results["open"])
    #expect(open.code == -3)  // STOREFRONT_ERR_DATA_DIR
    #expect(open.message.contains("cannot create data directory"))
    #expect(open.message.contains("missing does not exist"))
    #expect(results["open-truncated"]?.message == "storefr")
  }

  @Test func openADataDirHeldByAnotherProcess() throws {
    let scratch = try TemporaryDirectory()
    let host = try HostProcess(dataDir: scratch.path + "/data")
    let results = try Self.run(["open", scratch.path + "/data"])
    let open = try #require(results["open"])
    #expect(open.code == -4)  // STOREFRONT_ERR_DATA_DIR_IN_USE
    #expect(open.message.contains("is in use by process \(host.pid)"))
    #expect(host.terminate() == 0)
  }

  @Test func openWithABadConfiguration() throws {
    let scratch = try TemporaryDirectory()
    let results = try Self.run(
      ["open", scratch.path + "/data"], environment: ["STOREFRONT_LIMITS_MAX_BODY_BYTES": "lots"])
    let open = try #require(results["open"])
    #expect(open.code == -2)  // STOREFRONT_ERR_CONFIG
    #expect(open.message.contains("STOREFRONT_LIMITS_MAX_BODY_BYTES"))
  }

  @Test func nullArgumentsPrefixesStatesAndServeStop() throws {
    let scratch = try TemporaryDirectory()
    let results = try Self.run(
      ["misuse", scratch.path + "/data"],
      environment: ["STOREFRONT_PORT": "0", "STOREFRONT_WORKERS": "1"])
    func check(
      _ name: String, _ code: Int, _ fragment: String,
      sourceLocation: SourceLocation = #_sourceLocation
    ) {
      guard let result = results[name] else {
        Issue.record("no line for \(name)", sourceLocation: sourceLocation)
        return
      }
      #expect(result.code == code, "\(name): \(result.message)", sourceLocation: sourceLocation)
      #expect(
        result.message.contains(fragment), "\(name): \(result.message)",
        sourceLocation: sourceLocation)
    }
    check("version", 0, "0.1.0")
    check("strerror-in-use", 0, "data directory in use")
    check("strerror-unknown", 0, "unknown")
    for function in ["attach", "detach", "serve", "stop", "close"] {
      check("\(function)-null-handle", -1, "storefront_\(function): handle is NULL")
    }
    check("per-thread", -1, "storefront_stop: handle is NULL")
    check("open-fresh", 0, "ok")
    check("attach-null-evhttp", -1, "http (struct evhttp *) is NULL")
    check("attach-null-base", -1, "base (struct event_base *) is NULL")
    check("attach-null-prefix", -1, "prefix is NULL")
    check("attach-relative-prefix", -1, "must start with \"/\"")
    check("attach-empty-segment", -1, "empty segment")
    check("attach-dot-segment", -1, "\"..\" segments are not allowed")
    check("attach-space", -1, "byte 0x20 is not allowed")
    check("detach-not-attached", -6, "not attached")
    check("stop", 0, "ok")
    check("serve-returned", 0, "ok")
    check("attach", 0, "ok")
    check("attach-twice", -6, "attached to an evhttp")
    check("serve-attached", -6, "attached to an evhttp")
    check("close", 0, "ok")
  }
}
