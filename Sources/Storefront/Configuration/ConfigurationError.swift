import JSON

/// A configuration problem found at startup; its description is the one-line message for stderr.
///
/// ```text
/// configuration error: limits.max_body_bytes: expected a positive integer up to 1073741824, got "abc" (from environment variable STOREFRONT_LIMITS_MAX_BODY_BYTES)
/// configuration error: unknown key "limits.max_bodyy_bytes" in config/storefront.json (did you mean "limits.max_body_bytes"?)
/// ```
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
  /// A value of the wrong type or out of range. `got` is the value as written (strings quoted).
  case invalidValue(key: String, expected: String, got: String, source: ConfigurationSource)
  /// Keys in a configuration file that Storefront does not know (typos, stale settings).
  case unknownKeys([String], file: String)
  /// A key passed in `overrides` that Storefront does not know (a programming error).
  case unknownOverride(String)
  /// A configuration file given explicitly (`--config`) does not exist.
  case missingFile(String)
  /// A configuration file exists but could not be read.
  case unreadableFile(String, reason: String)
  /// A configuration file is not a JSON object.
  case malformedFile(String, reason: String)
  /// Values that are valid alone but not together, e.g. `a must be at least b`.
  case inconsistent(key: String, reason: String)

  /// `configuration error: <what>`, on one line.
  public var description: String {
    "configuration error: " + detail
  }

  private var detail: String {
    switch self {
    case .invalidValue(let key, let expected, let got, let source):
      return "\(key): expected \(expected), got \(got) (from \(source))"
    case .unknownKeys(let keys, let file):
      let listed = keys.map(JSONValue.quoted).joined(separator: ", ")
      let hints = keys.compactMap { Self.suggestion(for: $0).map(JSONValue.quoted) }
      let hint = hints.isEmpty ? "" : " (did you mean \(hints.joined(separator: ", "))?)"
      return "unknown key\(keys.count == 1 ? "" : "s") \(listed) in \(file)\(hint)"
    case .unknownOverride(let key):
      return "unknown key \(JSONValue.quoted(key)) given as a command-line override"
    case .missingFile(let path):
      return "\(path): no such configuration file"
    case .unreadableFile(let path, let reason):
      return "\(path): cannot read the configuration file: \(reason)"
    case .malformedFile(let path, let reason):
      return "\(path): not a valid configuration file: \(reason)"
    case .inconsistent(let key, let reason):
      return "\(key): \(reason)"
    }
  }

  /// The known key or section closest to an unknown one, when it is close enough to be a
  /// likely typo (`limits.max_bodyy_bytes` -> `limits.max_body_bytes`).
  static func suggestion(for unknown: String) -> String? {
    let candidates = ConfigurationSetting.all.map(\.path) + ConfigurationSetting.sections.sorted()
    let best = candidates.map { ($0, editDistance(unknown, $0)) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= max(2, unknown.count / 4) else { return nil }
    return best.0
  }

  /// The Levenshtein distance: insertions, deletions and substitutions turning `a` into `b`.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
      var current = [i + 1]
      for (j, y) in b.enumerated() {
        current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
}

/// Where a configuration value came from, for error messages.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
  /// A JSON configuration file, by the path it was opened with.
  case file(String)
  /// An environment variable, by name (`STOREFRONT_PORT`).
  case environment(String)
  /// A command-line flag, by spelling (`--port`).
  case flag(String)

  /// `config/storefront.json`, `environment variable STOREFRONT_PORT`, `command-line flag --port`.
  public var description: String {
    switch self {
    case .file(let path): path
    case .environment(let name): "environment variable \(name)"
    case .flag(let spelling): "command-line flag \(spelling)"
    }
  }
}

extension JSONValue {
  /// `"text"` with JSON escapes (the JSON module's writer).
  static func quoted(_ text: String) -> String { JSONValue.string(text).jsonText }

  /// The value as JSON text.
  var jsonText: String { String(decoding: encoded(), as: UTF8.self) }
}
