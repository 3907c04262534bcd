import Configuration
import Foundation
import JSON

/// A JSON configuration file, read once and checked as a whole against the schema: every key
/// known, every section an object, every value of its key's JSON type and in its range, even
/// where the environment or a flag overrides it.
struct ConfigurationFile: Sendable {
  /// The file read when no `--config` is given, relative to the working directory.
  static let defaultPath = "config/storefront.json"

  /// The path as given (and as shown in messages).
  let path: String
  /// The values by dotted key path.
  let values: [String: JSONValue]

  /// Reads and checks the file at `explicitPath`, or the one at `defaultPath`; `nil` when no
  /// path was given and the default file does not exist.
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
    var scratch = StorefrontConfig()
    for (key, json) in values.sorted(by: { $0.key < $1.key }) {
      guard let setting = ConfigurationSetting.named(key), setting.assign(&scratch, json) else {
        let expected = ConfigurationSetting.named(key)?.expectation ?? "an object of settings"
        throw .invalidValue(key: key, expected: expected, got: json.shown, source: .file(path))
      }
    }
    return ConfigurationFile(path: path, values: values)
  }

  /// The values as a swift-configuration provider named by the path, as text (the form of
  /// environment variables and flags).
  var provider: InMemoryProvider {
    InMemoryProvider(
      name: path,
      values: Dictionary(
        uniqueKeysWithValues: values.map { key, json in
          let text = json.numberLiteral ?? json.stringValue ?? ""
          return (AbsoluteConfigKey(ConfigKey(key)), ConfigValue(.string(text), isSecret: false))
        }))
  }

  /// Collects the leaves of known keys, and sections that are not objects (which ``load``
  /// rejects), into `leaves`; the paths of unknown keys into `unknown`.
  private static func flatten(
    _ members: JSONObject, prefix: String,
    into leaves: inout [String: JSONValue], unknown: inout [String]
  ) {
    for member in members.members {
      let path = prefix.isEmpty ? member.key : prefix + "." + member.key
      let section = ConfigurationSetting.sections.contains(path)
      if member.key.contains(".") {
        unknown.append(path)  // sections nest as objects; "limits.max_body_bytes" is no key
      } else if section, case .object(let nested) = member.value {
        flatten(nested, prefix: path, into: &leaves, unknown: &unknown)
      } else if section || ConfigurationSetting.named(path) != nil {
        leaves[path] = member.value
      } else {
        unknown.append(path)
      }
    }
  }
}

extension JSONValue {
  /// The value as a configuration message shows it: JSON for scalars, a phrase for containers.
  fileprivate var shown: String {
    switch self {
    case .array: "an array"
    case .object: "an object"
    default: jsonText
    }
  }
}
