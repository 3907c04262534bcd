import Foundation
import Testing

@testable import Storefront

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
  let url: URL
  var path: String { url.path }

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("storefront-config-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// Writes `text` to `name` (creating parent directories) and returns the file's path.
  @discardableResult
  func write(_ text: String, to name: String) throws -> String {
    let file = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: file)
    return file.path
  }

  /// A path inside the directory that does not exist.
  func absent(_ name: String = "absent.json") -> String {
    url.appendingPathComponent(name).path
  }
}

/// Paths in this package's source tree.
enum PackagePaths {
  /// The package root, three levels above this file.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let defaultConfig = root.appendingPathComponent("config/storefront.json").path
  static let configReadme = root.appendingPathComponent("config/README.md").path
}

/// Loads `file` (as storefront.json in a fresh directory, with no default file) under
/// `environment` and `overrides`: the error's message with the directory cut from its paths,
/// or nil when it loaded.
func configurationError(
  file: String? = nil, environment: [String: String] = [:], overrides: [String: String] = [:]
) async throws -> String? {
  let directory = try TemporaryDirectory()
  let path = try file.map { try directory.write($0, to: "storefront.json") }
  do {
    _ = try await StorefrontConfig.load(
      configPath: path, defaultPath: directory.absent(), environment: environment,
      overrides: overrides)
    return nil
  } catch {
    return error.description.replacingOccurrences(of: directory.path + "/", with: "")
  }
}
