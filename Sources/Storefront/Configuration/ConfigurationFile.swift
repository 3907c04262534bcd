import Configuration
import Foundation
import JSON

/// A JSON configuration file, read once and checked against the schema: every key known, every
/// section an object, every value a scalar. Its values reach swift-configuration as they are
/// typed in JSON (`true` stays a Boolean, `"80"` a string), so a value of the wrong type is an
/// error there rather than converted.
struct ConfigurationFile: Sendable {
  /// The file read when no `--config` is given, relative to the working directory.
  static let defaultPath = "config/storefront.json"

  /// The path as given (and as shown in messages).
  let path: String
  /// The leaf values by dotted key path, as written.
  let values: [String: JSONValue]

  /// Reads and checks the file at `explicitPath`, or the one at `defaultPath` (nil: none).
  ///
  /// - Returns: `nil` when no path was given and the default file does not exist.
  /// - Throws: ``ConfigurationError`` for a missing explicit file, unreadable or malformed JSON,
  ///   unknown keys, or a section or value that is not of the schema's shape.
  static func load(
    explicitPath: String?, defaultPath: String? = defaultPath
  ) throws(ConfigurationError) -> ConfigurationFile? {
    guard let path = explicitPath ?? defaultPath else { return nil }
    guard FileManager.default.fileExists(atPath: path) else {
      if explicitPath != nil { throw .missingFile(path) }
      return nil
    }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .unreadableFile(path, reason: error.localizedDescription)
    }
    let root: JSONValue
    do {
      root = try JSONParser.parse(Array(data))
    } catch {
      throw .malformedFile(
        path, reason: "invalid JSON: \(error.message): line \(error.line), column \(error.column)")
    }
    guard case .object(let members) = root else {
      throw .malformedFile(path, reason: "the top level must be a JSON object")
    }
    var values: [String: JSONValue] = [:]
    var unknown: [String] = []
    flatten(members, prefix: "", into: &values, unknown: &unknown)
    if !unknown.isEmpty { throw .unknownKeys(unknown.sorted(), file: path) }
    for (key, value) in values.sorted(by: { $0.key < $1.key }) {
      let section = ConfigurationSetting.sections.contains(key)
      if section || value.content(asNumber: false) == nil {
        let expected = ConfigurationSetting.named(key)?.expectation ?? "an object of settings"
        throw .invalidValue(key: key, expected: expected, got: value.rendered, source: .file(path))
      }
    }
    return ConfigurationFile(path: path, values: values)
  }

  /// The values as a swift-configuration provider named by the path.
  var provider: InMemoryProvider {
    var contents: [AbsoluteConfigKey: ConfigValue] = [:]
    for (key, value) in values {
      if let content = value.content(asNumber: ConfigurationSetting.named(key)?.isNumber ?? false) {
        contents[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: false)
      }
    }
    return InMemoryProvider(name: path, values: contents)
  }

  /// Collects the leaves of known keys into `values` (and sections that are not objects, which
  /// ``load(explicitPath:defaultPath:)`` rejects), and the paths of unknown keys into `unknown`.
  private static func flatten(
    _ members: JSONObject, prefix: String,
    into values: inout [String: JSONValue], unknown: inout [String]
  ) {
    for member in members.members {
      let path = prefix.isEmpty ? member.key : prefix + "." + member.key
      if member.key.contains(".") {
        unknown.append(path)  // sections nest as objects; "limits.max_body_bytes" is no key
      } else if ConfigurationSetting.sections.contains(path),
        case .object(let nested) = member.value
      {
        flatten(nested, prefix: path, into: &values, unknown: &unknown)
      } else if ConfigurationSetting.named(path) != nil
        || ConfigurationSetting.sections.contains(path)
      {
        values[path] = member.value
      } else {
        unknown.append(path)
      }
    }
  }
}

extension JSONValue {
  /// The scalar as swift-configuration content (an integer literal as `.int` unless `asNumber`),
  /// or nil for `null`, arrays and objects.
  fileprivate func content(asNumber: Bool) -> ConfigContent? {
    switch self {
    case .bool(let bool): .bool(bool)
    case .string(let string): .string(string)
    case .number(let literal):
      if !asNumber, let integer = Int(literal) {
        .int(integer)
      } else {
        Double(literal).map { .double($0) }
      }
    case .null, .array, .object: nil
    }
  }
}
