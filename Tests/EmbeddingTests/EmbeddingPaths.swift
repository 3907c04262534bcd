import Foundation

/// Where the package's sources and SwiftPM's build products are, seen from the test binary.
enum EmbeddingPaths {
  /// The package root, three levels above this file.
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// SwiftPM's bin path (`swift build --show-bin-path`): the directory of the running test
  /// binary, which also holds `libstorefront-embed.so` and the `storefront` executable.
  static let binDir: String = {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
    // On some layouts the test binary sits inside a `.xctest` bundle directory.
    if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
    return directory.path
  }()

  static var library: String { binDir + "/libstorefront-embed.so" }
  static var storefrontExecutable: String { binDir + "/storefront" }
  static var exampleHostDir: String { packageRoot + "/examples/c-host" }
  static var badCallsSource: String {
    packageRoot + "/Tests/EmbeddingTests/CPrograms/bad_calls.c"
  }
  static var includeDir: String { packageRoot + "/include" }
}

/// A fresh directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
  let path: String

  init(_ label: String = "storefront-embedding") throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}
