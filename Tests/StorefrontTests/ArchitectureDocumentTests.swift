import Foundation
import Testing

/// docs/ARCHITECTURE.md against the tree: every target its layer table names is a target of
/// Package.swift with a folder under Sources/, every folder under Sources/ is in the table, and
/// each module imports (and depends on, in Package.swift) only what its row allows.
@Suite("Architecture document: the layers it names exist, and each imports only what it allows")
struct ArchitectureDocumentTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func text(_ relativePath: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
  }

  /// The names between backticks in `text`.
  static func quoted(_ text: Substring) -> [String] {
    text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
      .filter { $0.offset % 2 == 1 }.map { String($0.element) }
  }

  /// The document's layers: each target with the modules it may import, and the platform
  /// modules any target may import.
  static func layers() throws -> (allowed: [String: Set<String>], platform: Set<String>) {
    let document = try text("docs/ARCHITECTURE.md")
    let lines = document.split(separator: "\n")
    guard let start = lines.firstIndex(of: "## Layers") else {
      Issue.record("docs/ARCHITECTURE.md has no '## Layers' section")
      return ([:], [])
    }
    var allowed: [String: Set<String>] = [:]
    var platform: Set<String> = []
    for line in lines[(start + 1)...] {
      if line.hasPrefix("## ") { break }
      if line.hasPrefix("Platform (any module):") {
        platform = Set(quoted(line))
      } else if line.hasPrefix("| `") {
        let columns = line.split(separator: "|", omittingEmptySubsequences: false)
        guard columns.count >= 4, let target = quoted(columns[1]).first else {
          Issue.record("a malformed row of the layer table: \(line)")
          continue
        }
        allowed[target] = Set(quoted(columns[3]))
      }
    }
    return (allowed, platform)
  }

  /// The targets of Package.swift, with the local targets each depends on.
  static func packageTargets() throws -> [String: Set<String>] {
    let manifest = try text("Package.swift")
    var targets: [String: Set<String>] = [:]
    let kinds = [".target(", ".systemLibrary(", ".executableTarget(", ".testTarget("]
    var declarations: [(name: String, body: Substring)] = []
    var rest = manifest[...]
    while let next = kinds.compactMap({ rest.range(of: $0) }).min(by: {
      $0.lowerBound < $1.lowerBound
    }) {
      rest = rest[next.upperBound...]
      // The call's arguments: up to the parenthesis that closes it.
      var depth = 1
      var end = rest.startIndex
      while end < rest.endIndex, depth > 0 {
        if rest[end] == "(" { depth += 1 }
        if rest[end] == ")" { depth -= 1 }
        end = rest.index(after: end)
      }
      let arguments = rest[..<end]
      if let nameStart = arguments.range(of: "name: \"") {
        let name = arguments[nameStart.upperBound...].prefix { $0 != "\"" }
        declarations.append((String(name), arguments))
      }
      rest = rest[end...]
    }
    let names = Set(declarations.map(\.name))
    for (name, arguments) in declarations {
      var dependencies: Set<String> = []
      if let list = arguments.range(of: "dependencies: [") {
        let body = arguments[list.upperBound...].prefix { $0 != "]" }
        let literals = body.split(separator: "\"", omittingEmptySubsequences: false)
          .enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        // Products of other packages (`.product(name: "Crypto", ...)`) are not local targets.
        for literal in literals where names.contains(literal) && !isProduct(literal, in: body) {
          dependencies.insert(literal)
        }
      }
      targets[name] = dependencies
    }
    return targets
  }

  static func isProduct(_ name: String, in body: Substring) -> Bool {
    body.contains(".product(name: \"\(name)\"")
  }

  /// The modules `source` imports (`import X`, `@testable import X`, `import struct X.Y`).
  static func imports(in source: String) -> Set<String> {
    var modules: Set<String> = []
    let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "var"]
    for line in source.split(separator: "\n") {
      var words = line.split(separator: " ").filter { !$0.hasPrefix("@") }[...]
      guard words.first == "import" else { continue }
      words = words.dropFirst()
      if let kind = words.first, kinds.contains(kind) { words = words.dropFirst() }
      guard let path = words.first else { continue }
      modules.insert(String(path.prefix { $0 != "." }))
    }
    return modules
  }

  static func sourceModules() throws -> [String] {
    try FileManager.default.contentsOfDirectory(
      atPath: root.appendingPathComponent("Sources").path
    ).filter { !$0.hasPrefix(".") }.sorted()
  }

  @Test func everyTargetTheDocumentNamesExists() throws {
    let (allowed, platform) = try Self.layers()
    let targets = try Self.packageTargets()
    #expect(allowed.count >= 5, "the layer table names too few targets: \(allowed.keys)")
    #expect(!platform.isEmpty, "the document lists no platform modules")
    for target in allowed.keys.sorted() {
      #expect(targets[target] != nil, "\(target) is in docs/ARCHITECTURE.md, not Package.swift")
      var isDirectory: ObjCBool = false
      let path = Self.root.appendingPathComponent("Sources/\(target)").path
      #expect(
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
          && isDirectory.boolValue, "\(target) is in docs/ARCHITECTURE.md, not under Sources/")
    }
    for module in try Self.sourceModules() {
      #expect(allowed[module] != nil, "Sources/\(module) is missing from docs/ARCHITECTURE.md")
    }
  }

  @Test func everyModuleImportsOnlyWhatTheDocumentAllows() throws {
    let (allowed, platform) = try Self.layers()
    let targets = try Self.packageTargets()
    var checkedFiles = 0
    for module in try Self.sourceModules() {
      guard let mayImport = allowed[module] else { continue }
      for dependency in targets[module] ?? [] {
        #expect(
          mayImport.contains(dependency),
          "Package.swift makes \(module) depend on \(dependency), which its row does not allow")
      }
      let folder = Self.root.appendingPathComponent("Sources/\(module)")
      let files =
        FileManager.default.enumerator(atPath: folder.path)?
        .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
      for file in files.sorted() {
        let source = try String(
          contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        checkedFiles += 1
        for imported in Self.imports(in: source)
        where !mayImport.contains(imported) && !platform.contains(imported) {
          Issue.record(
            "Sources/\(module)/\(file) imports \(imported), which its row does not allow")
        }
      }
    }
    #expect(checkedFiles > 50, "only \(checkedFiles) source files were read")
  }

  /// The parsers above, on the cases they must tell apart (so a broken parser cannot make the
  /// checks pass by finding nothing).
  @Test func theParsersReadImportsAndRows() throws {
    #expect(
      Self.imports(
        in: "import JSON\n  import Glibc\n@testable import Storefront\nimport struct A.B\n")
        == ["JSON", "Glibc", "Storefront", "A"])
    #expect(Self.imports(in: "// import Nothing\nlet important = 1\n").isEmpty)
    let (allowed, _) = try Self.layers()
    #expect(allowed["StorefrontCore"]?.contains("EventLog") == false)
    #expect(allowed["Storefront"]?.contains("StorefrontCore") == true)
    let targets = try Self.packageTargets()
    #expect(targets["Storefront"]?.contains("EventHTTP") == true)
    #expect(targets["StorefrontCore"]?.contains("Crypto") == false)
  }
}
