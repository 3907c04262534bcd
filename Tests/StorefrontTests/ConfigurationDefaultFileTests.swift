import Foundation
import Testing

@testable import Storefront

@Suite("config/storefront.json is the documented default")
struct ConfigurationDefaultFileTests {
  @Test("It loads to exactly the built-in defaults")
  func matchesDefaults() async throws {
    let config = try await StorefrontConfig.load(
      configPath: PackagePaths.defaultConfig, environment: [:], overrides: [:])
    #expect(config == StorefrontConfig(configFile: PackagePaths.defaultConfig))
  }

  @Test("It spells out every key")
  func listsEveryKey() throws {
    let file = try #require(try ConfigurationFile.load(explicitPath: PackagePaths.defaultConfig))
    #expect(Set(file.values.keys) == Set(StorefrontConfig.keys))
  }

  @Test("config/README.md documents every key")
  func readmeDocumentsEveryKey() throws {
    let readme = try String(contentsOfFile: PackagePaths.configReadme, encoding: .utf8)
    for key in StorefrontConfig.keys {
      #expect(readme.contains("| `\(key)` |"), "config/README.md does not document \(key)")
    }
  }

  @Test("config/README.md's table of keys is the one the schema renders")
  func readmeTableIsTheSchema() throws {
    let readme = try String(contentsOfFile: PackagePaths.configReadme, encoding: .utf8)
    let table = readme.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { !$0.hasPrefix("| key |") }.prefix { $0.hasPrefix("|") }
      .map { $0 + "\n" }.joined()
    #expect(table == ConfigurationSetting.markdownTable)
  }
}
