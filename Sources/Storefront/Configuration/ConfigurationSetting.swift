/// One configuration key: its dotted path, the values it accepts, and its field in
/// ``StorefrontConfig``. ``all`` is the schema: the loader, the unknown-key check and the
/// documented default file all follow it.
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
    /// A string in a format the setting checks (it may allow `""`); `example` is a valid value
    /// other than the default.
    case formatted(example: String)
  }

  /// A typed value before validation.
  enum Value: Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case text(String)
  }

  /// The dotted key path as written in JSON, e.g. `limits.max_body_bytes`.
  let path: String
  let kind: Kind
  /// What a valid value is, for messages: `a positive integer`.
  let expectation: String
  /// Stores a valid value; returns `false` (storing nothing) when the value is not acceptable.
  let assign: @Sendable (inout StorefrontConfig, Value) -> Bool
  /// The value currently held by a configuration.
  let read: @Sendable (StorefrontConfig) -> Value

  /// The environment variable overriding this key: `STOREFRONT_LIMITS_MAX_BODY_BYTES`.
  var environmentVariable: String {
    StorefrontConfig.environmentVariableName(forKey: path)
  }

  /// The command-line flag spelling used in messages for an override of this key: `--data-dir`.
  var flagSpelling: String {
    "--" + path.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
  }
}

extension ConfigurationSetting {

  static func integer(
    _ path: String, _ range: ClosedRange<Int>, _ expectation: String,
    _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .integer(range), expectation: expectation,
      assign: { config, value in
        guard case .integer(let number) = value, range.contains(number) else { return false }
        config[keyPath: field] = number
        return true
      },
      read: { .integer($0[keyPath: field]) })
  }

  /// An integer from 1 to `maximum` (a bound that keeps arithmetic on it from overflowing).
  static func positive(
    _ path: String, upTo maximum: Int, _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable
  ) -> ConfigurationSetting {
    integer(path, 1...maximum, "a positive integer up to \(maximum)", field)
  }

  static func number(
    _ path: String, greaterThan bound: Double,
    _ field: WritableKeyPath<StorefrontConfig, Double> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .number(greaterThan: bound),
      expectation: "a number greater than \(bound.formatted)",
      assign: { config, value in
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .number(let double): number = double
        case .text: return false
        }
        guard number.isFinite, number > bound else { return false }
        config[keyPath: field] = number
        return true
      },
      read: { .number($0[keyPath: field]) })
  }

  static func text(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable
  ) -> ConfigurationSetting {
    ConfigurationSetting(
      path: path, kind: .text, expectation: "a non-empty string",
      assign: { config, value in
        guard case .text(let text) = value, !text.isEmpty else { return false }
        config[keyPath: field] = text
        return true
      },
      read: { .text($0[keyPath: field]) })
  }

  static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Choice> & Sendable
  ) -> ConfigurationSetting {
    let names = Choice.allCases.map(\.rawValue)
    return ConfigurationSetting(
      path: path, kind: .choice(names),
      expectation: "one of " + names.map(JSONText.quoted).joined(separator: ", "),
      assign: { config, value in
        guard case .text(let text) = value, let choice = Choice(rawValue: text) else {
          return false
        }
        config[keyPath: field] = choice
        return true
      },
      read: { .text($0[keyPath: field].rawValue) })
  }
}

extension Double {
  /// `1` for whole numbers, `1.5` otherwise.
  fileprivate var formatted: String {
    self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
  }
}
