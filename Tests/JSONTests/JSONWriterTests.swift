import JSON
import Testing

struct JSONWriterTests {
  @Test func writesCompactJSONLikeDRF() {
    let value: JSONValue = .object([
      "id": .int(7), "price": .number("19.99"),
      "tags": .array([.string("a"), .null, .bool(true)]),
      "nested": .object(["empty": .object(JSONObject()), "list": .array([])]),
    ])
    #expect(
      String(decoding: value.encoded(), as: UTF8.self)
        == #"{"id":7,"price":19.99,"tags":["a",null,true],"nested":{"empty":{},"list":[]}}"#)
  }

  @Test func escapesLikePython() {
    let text = "q\" b\\ / \u{8}\u{c}\n\r\t \u{1} \u{1f} \u{7f} é 日 😀 \u{2028}\u{2029}"
    #expect(
      String(decoding: JSONValue.string(text).encoded(), as: UTF8.self)
        == #""q\" b\\ / \b\f\n\r\t \u0001 \u001f "# + "\u{7f} é 日 😀 " + #"\u2028\u2029""#)
  }

  @Test func streamingMatchesTreeWriting() {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("id")
    writer.int(-12_345)
    writer.key("items")
    writer.beginArray()
    writer.int(0)
    writer.int(Int.min)
    writer.number(literal: "1e5")
    writer.beginObject()
    writer.key("k")
    writer.string("v")
    writer.endObject()
    writer.bool(false)
    writer.null()
    writer.raw(Array(#"{"pre":"encoded"}"#.utf8))
    writer.endArray()
    writer.key("max")
    writer.int(Int.max)
    writer.endObject()
    let tree: JSONValue = .object([
      "id": .int(-12_345),
      "items": .array([
        .int(0), .int(Int.min), .number("1e5"), .object(["k": .string("v")]), .bool(false),
        .null, .object(["pre": .string("encoded")]),
      ]),
      "max": .int(Int.max),
    ])
    #expect(writer.bytes == tree.encoded())
    #expect(String(decoding: writer.bytes, as: UTF8.self).contains("-9223372036854775808,1e5"))
  }

  @Test(arguments: [
    #"{"a":[1,-0,19.99,1e5,true,false,null],"b":{"c":"d"},"e":"\u0000\"\\"}"#,
    #"["héllo","日本語","😀","\ud83d\ude00"]"#,
    #"[[[[[]]]],{},"",0]"#,
  ])
  func roundTripsThroughParser(text: String) throws {
    let value = try JSONParser.parse(text)
    let encoded = value.encoded()
    #expect(try JSONParser.parse(encoded) == value)
  }

  @Test func everyScalarRoundTrips() throws {
    var scalars = String.UnicodeScalarView()
    for value in UInt32(0)...0x3000 {
      if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
    }
    scalars.append(Unicode.Scalar(0x10FFFF)!)
    let text = String(scalars)
    #expect(try JSONParser.parse(JSONValue.string(text).encoded()) == .string(text))
  }
}
