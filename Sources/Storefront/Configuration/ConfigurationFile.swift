import Foundation
import JSON

/// A JSON configuration file, checked against the schema: every key known, every value of the
/// right JSON type. (swift-configuration ignores unknown keys and reads `true` as the integer 1;
/// Storefront wants both to be errors.)
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
  ///   unknown keys, or a value of the wrong type.
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
    var misshapen: [(String, JSONValue)] = []
    flatten(members, prefix: "", into: &values, unknown: &unknown, misshapen: &misshapen)
    if !unknown.isEmpty { throw .unknownKeys(unknown.sorted(), file: path) }
    if let (section, value) = misshapen.min(by: { $0.0 < $1.0 }) {
      throw .invalidValue(
        key: section, expected: "an object of settings", got: value.rendered, source: .file(path))
    }
    let file = ConfigurationFile(path: path, values: values)
    for setting in ConfigurationSetting.all {
      if let raw = values[setting.path], file.typedValue(raw, for: setting) == nil {
        throw .invalidValue(
          key: setting.path, expected: setting.expectation, got: raw.rendered, source: .file(path))
      }
    }
    return file
  }

  /// The value converted to the setting's type, or `nil` when its JSON type is wrong.
  func typedValue(
    _ raw: JSONValue, for setting: ConfigurationSetting
  ) -> ConfigurationSetting.Value? {
    switch (setting.kind, raw) {
    case (.integer, .number(let literal)): Int(literal).map { .integer($0) }
    case (.number, .number(let literal)): Double(literal).map { .number($0) }
    case (.text, .string(let string)), (.choice, .string(let string)),
      (.formatted, .string(let string)):
      .text(string)
    default: nil
    }
  }

  private static func flatten(
    _ members: JSONObject, prefix: String,
    into values: inout [String: JSONValue], unknown: inout [String],
    misshapen: inout [(String, JSONValue)]
  ) {
    for member in members.members {
      let (name, value) = (member.key, member.value)
      let path = prefix.isEmpty ? name : prefix + "." + name
      if name.contains(".") {
        unknown.append(path)  // sections nest as objects; "limits.max_body_bytes" is no key
      } else if ConfigurationSetting.sections.contains(path), case .object(let nested) = value {
        flatten(nested, prefix: path, into: &values, unknown: &unknown, misshapen: &misshapen)
      } else if ConfigurationSetting.named(path) != nil {
        values[path] = value
      } else if ConfigurationSetting.sections.contains(path) {
        misshapen.append((path, value))
      } else {
        unknown.append(path)
      }
    }
  }
}
