import JSON
import Testing

@testable import Storefront

/// `FormURLEncoded.parse` on its own: Django's `QueryDict` semantics, linear time, the field
/// limit.
struct FormURLEncodedTests {
  private func parse(_ text: String, maximumFields: Int = 1000) throws -> JSONValue {
    try FormURLEncoded.parse(Array(text.utf8), maximumFields: maximumFields)
  }

  @Test func decodesLikeQueryDict() throws {
    #expect(
      try parse("b=2&a=x+y%2Bz&b=3&empty=&flag&&=v&%E2%82%AC=%e2%82%ac%zz%4")
        == .object([
          "b": .string("3"), "a": .string("x y+z"), "empty": .string(""), "flag": .string(""),
          "": .string("v"), "€": .string("€%zz%4"),
        ]))
    #expect(try parse("") == .object(JSONObject()))
    #expect(try parse("&&&") == .object(JSONObject()))
    // Percent-encoded bytes that are not UTF-8 become U+FFFD, as unquote(errors="replace").
    #expect(try parse("k=%FF%C3") == .object(["k": .string("\u{FFFD}\u{FFFD}")]))
  }

  @Test func oneHundredThousandKeysKeepTheirOrderAndTheLastValue() throws {
    // Once quadratic (a linear scan per key): 100,000 keys took 22 s.
    let count = 100_000
    var text = (0..<count).map { "key\($0)=\($0)" }.joined(separator: "&")
    text += "&key5=last&key99999=end"
    let value = try parse(text, maximumFields: count + 2)
    guard case .object(let object) = value else {
      Issue.record("not an object")
      return
    }
    #expect(object.members.count == count)
    #expect(object.members.map(\.key) == (0..<count).map { "key\($0)" })
    #expect(object.members[5].value == .string("last"))
    #expect(object.members[count - 1].value == .string("end"))
    #expect(object.members[count - 2].value == .string("\(count - 2)"))
  }

  @Test func fieldsAreCountedAsParseQslCountsThem() throws {
    let thousand = (0..<1000).map { "f\($0)=1" }.joined(separator: "&")
    #expect(throws: Never.self) { try parse(thousand) }
    #expect(throws: FormURLEncoded.TooManyFields(limit: 1000)) { try parse(thousand + "&x=1") }
    // One more than the number of `&`, empty fields included, before any decoding.
    #expect(throws: Never.self) { try parse("a=1" + String(repeating: "&", count: 999)) }
    #expect(throws: FormURLEncoded.TooManyFields(limit: 1000)) {
      try parse("a=1" + String(repeating: "&", count: 1000))
    }
    #expect(throws: FormURLEncoded.TooManyFields(limit: 3)) {
      try parse("a=1&a=2&a=3&a=4", maximumFields: 3)
    }
  }
}
