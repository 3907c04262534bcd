/// The `Authorization: Token <key>` header, read as DRF's TokenAuthentication reads it.
enum TokenHeader {
  /// What the header says.
  enum Parsed: Equatable {
    /// No header, or another scheme: the caller is anonymous.
    case absent
    case token(String)
    /// A malformed `Token` header: answer 401 with this detail.
    case invalid(String)
  }

  static func parse(_ header: String?) -> Parsed {
    guard let header else { return .absent }
    // Python's bytes.split(): runs of whitespace, tabs included (no CR/LF in a header value).
    let words = header.split(
      omittingEmptySubsequences: true, whereSeparator: { " \t\u{0B}\u{0C}".contains($0) })
    guard let scheme = words.first, scheme.lowercased() == "token" else { return .absent }
    if words.count == 1 { return .invalid("Invalid token header. No credentials provided.") }
    if words.count > 2 {
      return .invalid("Invalid token header. Token string should not contain spaces.")
    }
    return .token(String(words[1]))
  }
}
