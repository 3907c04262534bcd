import Logging

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

  /// The setting for a dotted key path.
  static func named(_ path: String) -> ConfigurationSetting? {
    all.first { $0.path == path }
  }

  /// The key paths that name sections (JSON objects), e.g. `limits`.
  static let sections: Set<String> = Set(
    all.compactMap { setting in
      setting.path.lastIndex(of: ".").map { String(setting.path[..<$0]) }
    })

  /// The known key closest to an unknown one, when it is close enough to be a likely typo.
  static func suggestion(for unknown: String) -> String? {
    let candidates = all.map(\.path) + sections.sorted()
    let scored = candidates.map { ($0, editDistance(unknown, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, unknown.count / 4) else {
      return nil
    }
    return best.0
  }

  private static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in stride(from: 1, through: b.count, by: 1) {
        let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
        current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
      }
      previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
  }
}

extension ConfigurationSetting {
  /// Every key, in the order of the documented default file.
  static let all: [ConfigurationSetting] = [
    .text("host", \.host),
    .integer("port", 0...65_535, "an integer from 0 to 65535", \.port),
    .integer("workers", 0...256, "an integer from 0 to 256 (0 = one per core)", \.workers),
    .text("data_dir", \.dataDir),
    .choice("accept", \.accept),
    .choice("log.level", \.log.level),
    .choice("log.access_level", \.log.accessLevel),
    .positive("limits.max_body_bytes", \.limits.maxBodyBytes),
    .positive("limits.max_header_bytes", \.limits.maxHeaderBytes),
    .positive("limits.timeout_seconds", \.limits.timeoutSeconds),
    .positive("limits.max_connections", \.limits.maxConnections),
    .positive("limits.shutdown_timeout_seconds", \.limits.shutdownTimeoutSeconds),
    .choice("storage.fsync", \.storage.fsync),
    .integer(
      "storage.batch_ms", 0...10_000, "an integer from 0 to 10000", \.storage.batchMilliseconds),
    .number("storage.compaction_factor", greaterThan: 1, \.storage.compactionFactor),
    .positive("storage.compaction_min_bytes", \.storage.compactionMinBytes),
    .positive("auth.pbkdf2_iterations", \.auth.pbkdf2Iterations),
    .integer(
      "auth.token_ttl_seconds", 0...Int.max, "a non-negative integer (0 = no expiry)",
      \.auth.tokenTTLSeconds),
    .positive("auth.max_tokens_per_user", \.auth.maxTokensPerUser),
    .integer(
      "auth.hash_threads", 0...256, "an integer from 0 to 256 (0 = one per core)",
      \.auth.hashThreads),
  ]

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

  static func positive(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, Int> & Sendable
  ) -> ConfigurationSetting {
    integer(path, 1...Int.max, "a positive integer", field)
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
