// libFuzzer entry: TokenHeader.parse (with Sources/Storefront/HTTP/TokenHeader.swift).
//
// Invariants: total; agrees with a plain reading of DRF's TokenAuthentication (bytes.split()
// on ASCII whitespace, first word "token" case-insensitively, exactly two words).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let parsed = TokenHeader.parse(header)
  let words = Array(header.utf8).split(whereSeparator: { [0x20, 0x09, 0x0B, 0x0C].contains($0) })
  let expected: TokenHeader.Parsed
  if let first = words.first, String(decoding: first, as: UTF8.self).lowercased() == "token",
    first.count == 5
  {
    switch words.count {
    case 1: expected = .invalid("Invalid token header. No credentials provided.")
    case 2: expected = .token(String(decoding: words[1], as: UTF8.self))
    default: expected = .invalid("Invalid token header. Token string should not contain spaces.")
    }
  } else {
    expected = .absent
  }
  check(parsed == expected, "\(parsed) != \(expected)")
  check(TokenHeader.parse(nil) == .absent, "nil header")
  return 0
}
