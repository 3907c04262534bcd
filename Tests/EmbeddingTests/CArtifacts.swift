import Foundation
import HTTPTestSupport

/// The C programs the tests run, compiled once per test process with the system compiler.
struct CArtifacts: Sendable {
  /// examples/c-host/host, built by its Makefile against the library in the bin path.
  let host: String
  /// Tests/EmbeddingTests/CPrograms/bad_calls.c.
  let badCalls: String

  /// Built on first use; every test shares the result.
  static let shared: Result<CArtifacts, TestError> = {
    do {
      return .success(try build())
    } catch let error as TestError {
      return .failure(error)
    } catch {
      return .failure(TestError("\(error)"))
    }
  }()

  static func get() throws -> CArtifacts { try shared.get() }

  private static func build() throws -> CArtifacts {
    guard FileManager.default.fileExists(atPath: EmbeddingPaths.library) else {
      throw TestError("\(EmbeddingPaths.library) is missing: run `swift build` first")
    }
    let output = NSTemporaryDirectory() + "storefront-embedding-\(getpid())"
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let host = output + "/host"
    // Under scripts/sanitize the library carries a sanitizer runtime: the C programs are
    // built with the toolchain's clang and the same -fsanitize flag.
    let sanitize = ProcessInfo.processInfo.environment["STOREFRONT_SANITIZE_CFLAGS"] ?? ""
    let compiler = sanitize.isEmpty ? "cc" : "clang"
    var makeArguments = [
      "make", "-s", "STOREFRONT_LIB_DIR=\(EmbeddingPaths.binDir)", "OUT=\(host)",
    ]
    if !sanitize.isEmpty { makeArguments += ["CC=\(compiler)", "EXTRA_CFLAGS=\(sanitize)"] }
    // The example's own Makefile, as the README tells a user to run it.
    let make = try ChildProcess.run(
      "/usr/bin/env", makeArguments, directory: EmbeddingPaths.exampleHostDir)
    guard make.status == 0 else {
      throw TestError("make failed (\(make.status)):\n\(make.stdout)\n\(make.stderr)")
    }
    let badCalls = output + "/bad_calls"
    let cc = try ChildProcess.run(
      "/usr/bin/env",
      [
        compiler, "-std=c11", "-Wall", "-Wextra", "-Werror", "-I\(EmbeddingPaths.includeDir)",
        EmbeddingPaths.badCallsSource, "-o", badCalls, "-L\(EmbeddingPaths.binDir)",
        "-lstorefront-embed", "-levent", "-levent_pthreads", "-lpthread",
        "-Wl,-rpath,\(EmbeddingPaths.binDir)",
      ] + sanitize.split(separator: " ").map(String.init))
    guard cc.status == 0 else {
      throw TestError("cc bad_calls.c failed (\(cc.status)):\n\(cc.stdout)\n\(cc.stderr)")
    }
    return CArtifacts(host: host, badCalls: badCalls)
  }
}
