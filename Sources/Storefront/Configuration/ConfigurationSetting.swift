import JSON

/// One configuration key: its dotted path, the values it accepts, its documentation and its
/// field in ``StorefrontConfig``. ``all`` is the schema: the loader's checks, its messages and the
/// table of config/README.md all follow it.
struct ConfigurationSetting: Sendable {
  /// The shape of a key's values.
  enum Kind: Sendable, Equatable {
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

  /// The dotted key path as written in JSON, e.g. `limits.max_body_bytes`.
  let path: String
  let kind: Kind
  /// What a valid value is, for messages: `a positive integer up to 8192`.
  let expectation: String
  /// The meaning of the key, as config/README.md's table shows it.
  let doc: String
  /// Stores a value of the key's JSON type (no conversions: `"80"` is no port, `true` no number);
  /// returns `false`, storing nothing, when the value is not acceptable.
  let assign: @Sendable (inout StorefrontConfig, JSONValue) -> Bool
  /// The value a configuration holds, as JSON.
  let read: @Sendable (StorefrontConfig) -> JSONValue

  /// `field`, holding what `parse` accepts and shown as `show` returns.
  init<Field>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Field> & Sendable, _ kind: Kind,
    _ expectation: String, _ doc: String, parse: @escaping @Sendable (JSONValue) -> Field?,
    show: @escaping @Sendable (Field) -> JSONValue
  ) {
    (self.path, self.kind, self.expectation, self.doc) = (path, kind, expectation, doc)
    assign = { config, value in
      guard let parsed = parse(value) else { return false }
      config[keyPath: field] = parsed
      return true
    }
    read = { show($0[keyPath: field]) }
  }

  /// The environment variable overriding this key: `STOREFRONT_LIMITS_MAX_BODY_BYTES`.
  var environmentVariable: String { StorefrontConfig.environmentVariableName(forKey: path) }

  /// The command-line flag spelling used in messages for an override of this key: `--data-dir`.
  var flagSpelling: String {
    "--" + path.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
  }

  /// Text from an environment variable or a flag as a value of this key's JSON type.
  func value(ofText text: String) -> JSONValue {
    switch kind {
    case .integer, .number: .number(text)
    default: .string(text)
    }
  }
}

extension ConfigurationSetting {
  /// An integer in `range`; `note` explains a special value (`0 = one per core`).
  static func integer(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable,
    _ range: ClosedRange<Int>, note: String? = nil, _ doc: String
  ) -> Self {
    let (low, high) = (range.lowerBound, range.upperBound)
    let expectation =
      low == 1 ? "a positive integer up to \(high)" : "an integer from \(low) to \(high)"
    return Self(
      path, field, .integer(range), expectation + (note.map { " (\($0))" } ?? ""), doc,
      parse: { $0.numberLiteral.flatMap { Int($0) }.flatMap { range.contains($0) ? $0 : nil } },
      show: { .number(String($0)) })
  }

  /// A finite number greater than `bound` (a whole number).
  static func number(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Double> & Sendable,
    greaterThan bound: Int, _ doc: String
  ) -> Self {
    Self(
      path, field, .number(greaterThan: Double(bound)), "a number greater than \(bound)", doc,
      parse: {
        $0.numberLiteral.flatMap { Double($0) }.flatMap {
          $0.isFinite && $0 > Double(bound) ? $0 : nil
        }
      },
      show: { .number(String($0)) })
  }

  /// A string that `parse` turns into the field's value (nil: not acceptable) and `show` back.
  static func string<Field>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Field> & Sendable,
    _ kind: Kind = .text, _ expectation: String = "a non-empty string",
    parse: @escaping @Sendable (String) -> Field?, show: @escaping @Sendable (Field) -> String,
    _ doc: String
  ) -> Self {
    Self(
      path, field, kind, expectation, doc,
      parse: { if case .string(let text) = $0 { parse(text) } else { nil } },
      show: { .string(show($0)) })
  }

  /// A non-empty string.
  static func text(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable, _ doc: String
  ) -> Self {
    string(path, field, parse: { $0.isEmpty ? nil : $0 }, show: { $0 }, doc)
  }

  /// One of the cases of `Choice`, by raw value.
  static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Choice> & Sendable, _ doc: String
  ) -> Self {
    let names = Choice.allCases.map(\.rawValue)
    return string(
      path, field, .choice(names), "one of " + names.map(JSONValue.quoted).joined(separator: ", "),
      parse: { Choice(rawValue: $0) }, show: { $0.rawValue }, doc)
  }

  /// A string in a format `parse` checks (nil: not acceptable); `example` is another valid one.
  static func formatted<Field>(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Field> & Sendable,
    example: String, _ expectation: String, parse: @escaping @Sendable (String) -> Field?,
    show: @escaping @Sendable (Field) -> String, _ doc: String
  ) -> Self {
    string(path, field, .formatted(example: example), expectation, parse: parse, show: show, doc)
  }

  /// A string field in a format `parse` checks and may make canonical.
  static func formatted(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, String> & Sendable,
    example: String, _ expectation: String, parse: @escaping @Sendable (String) -> String?,
    _ doc: String
  ) -> Self {
    formatted(path, field, example: example, expectation, parse: parse, show: { $0 }, doc)
  }

  /// A ``ThrottleRate`` such as `"20/minute"`, or `""` for none.
  static func rate(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, ThrottleRate?> & Sendable,
    _ doc: String
  ) -> Self {
    string(
      path, field, .formatted(example: "20/minute"),
      "a rate like \"20/minute\" (N per second, minute, hour or day; N from 1 to "
        + "\(ThrottleRate.maxRequests)), or \"\" for none",
      parse: { $0.isEmpty ? .some(nil) : ThrottleRate($0).map(Optional.some) },
      show: { $0?.description ?? "" }, doc)
  }
}
