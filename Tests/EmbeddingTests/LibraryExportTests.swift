import Foundation
import Testing

/// libstorefront-embed.so exports the C API and nothing else.
struct LibraryExportTests {
  static let api: Set<String> = [
    "storefront_version", "storefront_strerror", "storefront_last_error", "storefront_open",
    "storefront_attach", "storefront_detach", "storefront_serve", "storefront_stop",
    "storefront_close",
  ]

  @Test func nmListsExactlyTheStorefrontFunctions() throws {
    let nm = try ChildProcess.run(
      "/usr/bin/env", ["nm", "-D", "--defined-only", EmbeddingPaths.library])
    #expect(nm.status == 0, "\(nm.stderr)")
    // Lines are "<address> <type> <name>"; upper-case types are global (exported) symbols,
    // lower-case ones are local entries the linker keeps for relocations.
    var exported: Set<String> = []
    for line in nm.stdout.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count == 3, let type = fields[1].first, type.isUppercase else { continue }
      exported.insert(String(fields[2]))
    }
    #expect(exported == Self.api)
    for name in Self.api {
      #expect(nm.stdout.contains(" T \(name)\n"), "\(name) is not a defined function")
    }
  }

  @Test func headerDeclaresEveryExportedFunction() throws {
    let header = try String(
      contentsOfFile: EmbeddingPaths.includeDir + "/storefront.h", encoding: .utf8)
    for name in Self.api {
      let declared = header.contains(" \(name)(") || header.contains("*\(name)(")
      #expect(declared, "\(name) is not declared in storefront.h")
    }
  }
}
