import JSON
import Testing

struct JSONParserTests {
  @Test func parsesEveryKindOfValue() throws {
    let value = try JSONParser.parse(
      #" { "a" : [ 1 , -2.5e+3 , true , false , null ] , "b" : { } , "c" : [ ] , "d" : "x" } "#)
    #expect(
      value
        == .object([
          "a": .array([.number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null]),
          "b": .object(JSONObject()),
          "c": .array([]),
          "d": .string("x"),
        ]))
  }

  @Test(arguments: [
    "0", "-0", "19.99", "1e5", "1E+2", "-0.0e-0", "123456789012345678901234567890", "3.14159",
  ])
  func numbersKeepTheirExactLiteral(literal: String) throws {
    #expect(try JSONParser.parse(literal) == .number(literal))
    #expect(try JSONParser.parse("[\(literal)]") == .array([.number(literal)]))
  }

  @Test func integersUpToPythonsDigitLimitAndLongFloatsAreAccepted() throws {
    let limit = JSONParser.maximumIntegerDigits
    let longest = String(repeating: "9", count: limit)
    #expect(try JSONParser.parse(longest) == .number(longest))
    #expect(try JSONParser.parse("-" + longest) == .number("-" + longest))
    for float in [longest + "9.5", longest + "9e-5", "0." + longest + "99"] {
      #expect(try JSONParser.parse(float) == .number(float))
    }
  }

  @Test func anIncompleteUTF8SequenceAtTheVeryEndIsIgnoredAsDRFDoes() throws {
    for tail: [UInt8] in [
      [0xE2], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED], [0xED, 0xA0], [0xC3],
    ] {
      #expect(try JSONParser.parse(Array("[1]".utf8) + tail) == .array([.number("1")]), "\(tail)")
    }
    // Complete or impossible sequences are still refused.
    for tail: [UInt8] in [
      [0xFF], [0xC0], [0xF4, 0x90], [0xE0, 0x80], [0xED, 0xA0, 0x80], [0x80],
    ] {
      #expect(throws: JSONParseError.self, "\(tail)") {
        try JSONParser.parse(Array("[1]".utf8) + tail)
      }
    }
  }

  @Test func intValueReadsIntegersOnly() throws {
    #expect(try JSONParser.parse("42").intValue == 42)
    #expect(try JSONParser.parse("-7").intValue == -7)
    #expect(try JSONParser.parse("19.99").intValue == nil)
  }

  @Test func decodesEveryEscape() throws {
    let value = try JSONParser.parse(
      #""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC \ud83d\ude00""#)
    #expect(value == .string("q\" b\\ s/ \u{8}\u{c}\n\r\t Aé€ 😀"))
  }

  @Test func keepsRawUnicode() throws {
    let text = "héllo 日本語 😀 \u{7f}"
    #expect(try JSONParser.parse(Array("\"\(text)\"".utf8)) == .string(text))
  }

  @Test func duplicateKeysKeepTheLastValueAtTheFirstPosition() throws {
    let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
    guard case .object(let object) = value else {
      Issue.record("not an object")
      return
    }
    #expect(object.members.map(\.key) == ["a", "b"])
    #expect(object["a"] == .number("3"))
    let escaped = try JSONParser.parse(#"{"k":1,"\u006b":2}"#)
    #expect(escaped == .object(["k": .number("2")]))
  }

  @Test func manyMembersWithDuplicatesUseTheSlowPath() throws {
    var text = "{"
    for index in 0..<40 { text += "\"k\(index)\":\(index)," }
    text += "\"k3\":\"last\"}"
    let value = try JSONParser.parse(text)
    #expect(value["k3"] == .string("last"))
    guard case .object(let object) = value else {
      Issue.record("not an object")
      return
    }
    #expect(object.members.count == 40)
  }

  @Test func parsesFromAnyCollection() throws {
    let bytes = Array(#"{"x":[1,2]}"#.utf8)
    let expected: JSONValue = .object(["x": .array([.number("1"), .number("2")])])
    #expect(try JSONParser.parse(bytes[...]) == expected)
    #expect(try JSONParser.parse(ContiguousArray(bytes)) == expected)
    #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == expected)
  }

  @Test func parseValueStopsAfterOneValue() throws {
    let bytes = Array(#"xx {"a":1} tail"#.utf8)
    try bytes.withUnsafeBytes { buffer in
      var offset = 2
      let value = try JSONParser.parseValue(in: buffer, at: &offset)
      #expect(value == .object(["a": .number("1")]))
      #expect(offset == 10)
    }
  }
}
