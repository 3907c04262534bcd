import JSON
import Testing

/// Expected messages were produced by Python 3.11's `json.load` on the same bytes read as DRF
/// reads a body (a `codecs` UTF-8 reader, DRF's strict float constant hook).
struct JSONParseErrorTests {
  static let pythonMessages: [([UInt8], String)] = [
    ([], "Expecting value: line 1 column 1 (char 0)"),
    (b(" "), "Expecting value: line 1 column 2 (char 1)"),
    (b("\t"), "Expecting value: line 1 column 2 (char 1)"),
    (b("{"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (b("{a"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (b("{,"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (b("{1:2}"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (
      b(#"{"a":1,}"#), "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"
    ),
    (b(#"{"a""#), "Expecting ':' delimiter: line 1 column 5 (char 4)"),
    (b(#"{"a" 1}"#), "Expecting ':' delimiter: line 1 column 6 (char 5)"),
    (b(#"{"a":1,"b"}"#), "Expecting ':' delimiter: line 1 column 11 (char 10)"),
    (b(#"{"a":"#), "Expecting value: line 1 column 6 (char 5)"),
    (b(#"{"a":1"#), "Expecting ',' delimiter: line 1 column 7 (char 6)"),
    (b(#"{"a":1 "b":2}"#), "Expecting ',' delimiter: line 1 column 8 (char 7)"),
    (b("["), "Expecting value: line 1 column 2 (char 1)"),
    (b("[1 2]"), "Expecting ',' delimiter: line 1 column 4 (char 3)"),
    (b("[1,]"), "Expecting value: line 1 column 4 (char 3)"),
    (b("[,"), "Expecting value: line 1 column 2 (char 1)"),
    (b("[1,2"), "Expecting ',' delimiter: line 1 column 5 (char 4)"),
    (b("[01]"), "Expecting ',' delimiter: line 1 column 3 (char 2)"),
    (b("[-01]"), "Expecting ',' delimiter: line 1 column 4 (char 3)"),
    (b("[1e5x]"), "Expecting ',' delimiter: line 1 column 5 (char 4)"),
    (b(#""abc"#), "Unterminated string starting at: line 1 column 1 (char 0)"),
    (b(#""a\"#), "Unterminated string starting at: line 1 column 1 (char 0)"),
    (b(#""\"#), "Unterminated string starting at: line 1 column 1 (char 0)"),
    ([0x22, 0x61, 0x01, 0x62, 0x22], "Invalid control character at: line 1 column 3 (char 2)"),
    (b(#""a\xb""#), "Invalid \\escape: line 1 column 3 (char 2)"),
    (b(#""\u12""#), "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    (b(#""\u12G4""#), "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    (b(#""\u"#), "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    (b("tru"), "Expecting value: line 1 column 1 (char 0)"),
    (b("nul"), "Expecting value: line 1 column 1 (char 0)"),
    (b("-"), "Expecting value: line 1 column 1 (char 0)"),
    (b("-x"), "Expecting value: line 1 column 1 (char 0)"),
    (b(".5"), "Expecting value: line 1 column 1 (char 0)"),
    (b("[1] x"), "Extra data: line 1 column 5 (char 4)"),
    (b(#"{"a":1}}"#), "Extra data: line 1 column 8 (char 7)"),
    (b("01"), "Extra data: line 1 column 2 (char 1)"),
    (b("1."), "Extra data: line 1 column 2 (char 1)"),
    (b("1.e5"), "Extra data: line 1 column 2 (char 1)"),
    (b("1e"), "Extra data: line 1 column 2 (char 1)"),
    (b("NaN"), "Out of range float values are not JSON compliant: 'NaN'"),
    (b("[NaN]"), "Out of range float values are not JSON compliant: 'NaN'"),
    (b("Infinity"), "Out of range float values are not JSON compliant: 'Infinity'"),
    (b("-Infinity"), "Out of range float values are not JSON compliant: '-Infinity'"),
    (
      [0xEF, 0xBB, 0xBF] + b("{}"),
      "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"
    ),
    (
      b("[" + String(repeating: "7", count: 4301) + "]"),
      "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit"
    ),
    (
      b(#"{"a": -"# + String(repeating: "9", count: 5000) + "} x"),
      "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit"
    ),
    (b("\n\n  [1,\n x]"), "Expecting value: line 4 column 2 (char 9)"),
    (b("[\"é\", x]"), "Expecting value: line 1 column 7 (char 6)"),
    (
      [0x22, 0xFF, 0x22],
      "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
    ),
    (
      [0x22, 0xE2, 0x82, 0x22],
      "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
    ),
    (
      [0x22, 0xED, 0xA0, 0x80, 0x22],
      "'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte"
    ),
    (
      [0x22, 0xC0, 0x80, 0x22],
      "'utf-8' codec can't decode byte 0xc0 in position 1: invalid start byte"
    ),
    (
      [0x22, 0xE0, 0x80, 0x80, 0x22],
      "'utf-8' codec can't decode byte 0xe0 in position 1: invalid continuation byte"
    ),
    (
      [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
      "'utf-8' codec can't decode byte 0xf4 in position 1: invalid continuation byte"
    ),
    (
      [0x22, 0xF5, 0x22],
      "'utf-8' codec can't decode byte 0xf5 in position 1: invalid start byte"
    ),
    (
      b("[1]") + [0xFF],
      "'utf-8' codec can't decode byte 0xff in position 3: invalid start byte"
    ),
    // DRF's stream reader leaves an incomplete sequence at the very end undecoded.
    (b("[x, \"") + [0xE2, 0x82], "Expecting value: line 1 column 2 (char 1)"),
    (
      b(#"{"a":"x"#) + [0xF0, 0x9F, 0x98],
      "Unterminated string starting at: line 1 column 6 (char 5)"
    ),
    ([0xEF, 0xBB], "Expecting value: line 1 column 1 (char 0)"),
    // ...but the decoder still sees those bytes after an earlier incomplete sequence.
    (
      b(#""""#) + [0xE2, 0xE2, 0x82],
      "'utf-8' codec can't decode byte 0xe2 in position 2: invalid continuation byte"
    ),
    (
      b("[1]") + [0xE0, 0x80],
      "'utf-8' codec can't decode byte 0xe0 in position 3: invalid continuation byte"
    ),
    (
      b("[1]") + [0xC3, 0xA9, 0x80],
      "'utf-8' codec can't decode byte 0x80 in position 5: invalid start byte"
    ),
    (b(#""\u0041"#), "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    (b(#""\ud800\udc00"#), "Invalid \\uXXXX escape: line 1 column 9 (char 8)"),
  ]

  @Test(arguments: pythonMessages)
  func messageMatchesPython(input: [UInt8], expected: String) {
    #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
    do {
      _ = try JSONParser.parse(input)
    } catch {
      #expect(error.description == expected)
    }
  }

  @Test func unpairedSurrogatesAreRejected() {
    for text in [#""\ud800""#, #""\ud800\u0041""#, #""\udc00""#, #""x\ud800"#] {
      #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
    }
    do {
      _ = try JSONParser.parse(#""\ud800x""#)
    } catch {
      #expect(error.kind == .unpairedSurrogate)
      #expect(
        error.description == "Unpaired surrogate in \\uXXXX escape: line 1 column 3 (char 2)")
    }
  }

  @Test func nestingDeeperThanTheLimitIsRejected() throws {
    let limit = JSONParser.maximumDepth
    let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
    _ = try JSONParser.parse(ok)
    let tooDeep =
      String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
    let expected = JSONParseError(
      kind: .tooDeep, byteOffset: limit, line: 1, column: limit + 1, character: limit)
    #expect(throws: expected) { try JSONParser.parse(tooDeep) }
    let deepObjects =
      String(repeating: #"{"a":"#, count: limit + 1) + "1"
      + String(repeating: "}", count: limit + 1)
    #expect(throws: JSONParseError.self) { try JSONParser.parse(deepObjects) }
  }

  @Test func errorPositionsCountCharactersNotBytes() {
    #expect(throws: JSONParseError.self) { try JSONParser.parse("[\"日本\",\n \"€\" x]") }
    do {
      _ = try JSONParser.parse("[\"日本\",\n \"€\" x]")
    } catch {
      #expect(error.kind == .expectingComma)
      #expect(error.line == 2)
      #expect(error.column == 6)
      #expect(error.character == 12)
      #expect(error.byteOffset == 18)
    }
  }
}

func b(_ text: String) -> [UInt8] { Array(text.utf8) }
