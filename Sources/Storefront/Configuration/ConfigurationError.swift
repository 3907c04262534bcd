import JSON

/// A configuration problem found at startup; its description is the one-line message for stderr.
///
/// ```text
/// configuration error: limits.max_body_bytes: expected a positive integer, got "abc" (from environment variable STOREFRONT_LIMITS_MAX_BODY_BYTES)
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

  /// The key the error is about, when it is about one key.
  public var key: String? {
    switch self {
    case .invalidValue(let key, _, _, _): key
    case .unknownOverride(let key): key
    case .inconsistent(let key, _): key
    case .unknownKeys(let keys, _): keys.count == 1 ? keys[0] : nil
    case .missingFile, .unreadableFile, .malformedFile: nil
    }
  }

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
      let noun = keys.count == 1 ? "unknown key" : "unknown keys"
      let hints = keys.compactMap { key in
        ConfigurationSetting.suggestion(for: key).map { JSONValue.quoted($0) }
      }
      let hint = hints.isEmpty ? "" : " (did you mean \(hints.joined(separator: ", "))?)"
      return "\(noun) \(listed) in \(file)\(hint)"
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
}
