/// Checks the `prefix` argument of `storefront_attach`.
enum MountPrefix {
  /// Characters allowed in a segment: RFC 3986 unreserved.
  private static func allowed(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
      UInt8(ascii: "_"), UInt8(ascii: "~"):
      true
    default: false
    }
  }

  /// Returns `prefix` when it is `/` or `/seg[/seg...]` (one trailing slash allowed) with
  /// unreserved characters and no empty, `.` or `..` segment; throws a message otherwise.
  static func validate(_ prefix: String) throws(CAPIError) -> String {
    func reject(_ why: String) -> CAPIError {
      CAPIError(.invalidArgument, "storefront_attach: bad prefix \"\(prefix)\": \(why)")
    }
    guard prefix.hasPrefix("/") else { throw reject("it must start with \"/\" (e.g. \"/api\")") }
    if prefix == "/" { return prefix }
    var body = prefix.utf8.dropFirst()
    if body.last == UInt8(ascii: "/") { body = body.dropLast() }
    for segment in body.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
      if segment.isEmpty { throw reject("it has an empty segment (\"//\")") }
      if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) {
        throw reject("\".\" and \"..\" segments are not allowed")
      }
      if let bad = segment.first(where: { !allowed($0) }) {
        throw reject(
          "byte 0x\(String(bad, radix: 16)) is not allowed (letters, digits, - . _ ~ and /)")
      }
    }
    return prefix
  }
}
