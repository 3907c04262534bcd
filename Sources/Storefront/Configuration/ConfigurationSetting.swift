import Configuration
import JSON

/// One configuration key: its dotted path, the values it accepts, its documentation and its
/// field in ``StorefrontConfig``. ``all`` is the schema: the loader's checks, its messages and the
/// table of config/README.md all follow it.
struct ConfigurationSetting: Sendable {
  /// The shape of a key's values.
  enum Kind: Sendable, Equatable {
    /// An integer within a range.
    case integer(ClosedRange<Int>)
    /// A finite number greater than a bound.
    case number(greaterThan: Double)
    /// A non-empty string.
    case text
    /// One string of a fixed set.
    case choice([String])
    /// A string in a format the setting checks; `example` is a valid value other than the default.
    case formatted(example: String)
  }

  /// A typed value, as swift-configuration returns it.
  enum Value: Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case text(String)
  }

  /// The dotted key path as written in JSON, e.g. `limits.max_body_bytes`.
  let path: String
  let kind: Kind
  /// What a valid value is, for messages: `a positive integer up to 8192`.
  let expectation: String
  /// The meaning of the key, as config/README.md's table shows it.
  let doc: String
  /// Stores a valid value; returns `false` (storing nothing) when the value is not acceptable.
  let assign: @Sendable (inout StorefrontConfig, Value) -> Bool
  /// The value currently held by a configuration.
  let read: @Sendable (StorefrontConfig) -> Value

  /// The environment variable overriding this key: `STOREFRONT_LIMITS_MAX_BODY_BYTES`.
  var environmentVariable: String { StorefrontConfig.environmentVariableName(forKey: path) }

  /// The command-line flag spelling used in messages for an override of this key: `--data-dir`.
  var flagSpelling: String {
    "--" + path.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
  }

  /// Whether the key holds a number (so an integer literal in JSON is read as one).
  var isNumber: Bool {
    if case .number = kind { true } else { false }
  }

  /// The value `reader` holds for this key in the type of ``kind`` (nil: no layer sets it).
  /// Throws when the layer that sets it holds a value of another type.
  func fetch(from reader: ConfigReader) async throws -> Value? {
    switch kind {
    case .integer: try await reader.fetchInt(forKey: ConfigKey(path)).map(Value.integer)
    case .number: try await reader.fetchDouble(forKey: ConfigKey(path)).map(Value.number)
    default: try await reader.fetchString(forKey: ConfigKey(path)).map(Value.text)
    }
  }
}

extension ConfigurationSetting {
  /// An integer in `range`.
  static func integer(
    _ path: String, _ range: ClosedRange<Int>, _ expectation: String,
    _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable, doc: String
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .integer(range), expectation: expectation, doc: doc,
      assign: { config, value in
        guard case .integer(let number) = value, range.contains(number) else { return false }
        config[keyPath: field] = number
        return true
      },
      read: { .integer($0[keyPath: field]) })
  }

  /// An integer from 1 to `maximum` (a bound that keeps arithmetic on it from overflowing).
  static func positive(
    _ path: String, upTo maximum: Int, _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable,
    doc: String
  ) -> ConfigurationSetting {
    integer(path, 1...maximum, "a positive integer up to \(maximum)", field, doc: doc)
  }

  /// A finite number greater than `bound` (a whole number).
  static func number(
    _ path: String, greaterThan bound: Int,
    _ field: WritableKeyPath<StorefrontConfig, Double> & Sendable, doc: String
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .number(greaterThan: Double(bound)),
      expectation: "a number greater than \(bound)", doc: doc,
      assign: { config, value in
        guard case .number(let number) = value, number.isFinite, number > Double(bound) else {
          return false
        }
        config[keyPath: field] = number
        return true
      },
      read: { .number($0[keyPath: field]) })
  }

  /// A string that `parse` turns into the field's value (nil: not acceptable) and `show` back.
  static func string<Field: Sendable>(
    _ path: String, _ kind: Kind, _ expectation: String,
    _ field: WritableKeyPath<StorefrontConfig, Field> & Sendable,
    parse: @escaping @Sendable (String) -> Field?, show: @escaping @Sendable (Field) -> String,
    doc: String
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: kind, expectation: expectation, doc: doc,
      assign: { config, value in
        guard case .text(let text) = value, let parsed = parse(text) else { return false }
        config[keyPath: field] = parsed
        return true
      },
      read: { .text(show($0[keyPath: field])) })
  }

  /// A non-empty string.
  static func text(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable, doc: String
  ) -> ConfigurationSetting {
    string(
      path, .text, "a non-empty string", field, parse: { $0.isEmpty ? nil : $0 }, show: { $0 },
      doc: doc)
  }

  /// One of the cases of `Choice`, by raw value.
  static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Choice> & Sendable, doc: String
  ) -> ConfigurationSetting {
    let names = Choice.allCases.map(\.rawValue)
    return string(
      path, .choice(names), "one of " + names.map(JSONValue.quoted).joined(separator: ", "),
      field, parse: { Choice(rawValue: $0) }, show: { $0.rawValue }, doc: doc)
  }
}
