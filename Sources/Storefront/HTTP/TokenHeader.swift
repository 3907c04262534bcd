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
    let words = split(header)
    guard let scheme = words.first, isToken(scheme) else { return .absent }
    if words.count == 1 { return .invalid("Invalid token header. No credentials provided.") }
    if words.count > 2 {
      return .invalid("Invalid token header. Token string should not contain spaces.")
    }
    return .token(String(words[1]))
  }

  /// Python's bytes.split(): runs of ASCII whitespace (space, tab, VT, FF; no CR/LF can be in a
  /// header value), on UTF-8 bytes (every cut is at an ASCII byte, so a valid boundary).
  private static func split(_ header: String) -> [Substring] {
    var words: [Substring] = []
    let bytes = header.utf8
    var start: String.Index?
    var index = bytes.startIndex
    while index != bytes.endIndex {
      switch bytes[index] {
      case 0x20, 0x09, 0x0B, 0x0C:
        if let wordStart = start {
          words.append(header[wordStart..<index])
          start = nil
        }
      default:
        if start == nil { start = index }
      }
      index = bytes.index(after: index)
    }
    if let wordStart = start { words.append(header[wordStart..<bytes.endIndex]) }
    return words
  }

  /// `token`, case-insensitively.
  private static func isToken(_ word: Substring) -> Bool {
    let expected = Array("token".utf8)
    guard word.utf8.count == expected.count else { return false }
    return zip(word.utf8, expected).allSatisfy { $0 | 0x20 == $1 }
  }
}
