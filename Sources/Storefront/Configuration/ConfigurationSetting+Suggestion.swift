extension ConfigurationSetting {
  /// The known key closest to an unknown one, when it is close enough to be a likely typo
  /// (`limits.max_bodyy_bytes` -> `limits.max_body_bytes`).
  static func suggestion(for unknown: String) -> String? {
    let candidates = all.map(\.path) + sections.sorted()
    let scored = candidates.map { ($0, editDistance(unknown, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, unknown.count / 4) else {
      return nil
    }
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
