import JSON
import Testing

/// Objects inside objects: the parser keeps one stack of members and one of key spans for all
/// nesting levels, and duplicate detection must only ever see the current object's keys.
struct JSONNestedObjectTests {
  /// Once an index-out-of-range trap (a request body like this one killed the server).
  @Test(arguments: [
    (#"{"a":{"\n":1}}"#, JSONValue.object(["a": .object(["\n": .number("1")])])),
    (#"{"\u0041":{"b":1}}"#, .object(["A": .object(["b": .number("1")])])),
    (
      #"{"a":{"\u0062":1,"c":2}}"#, .object(["a": .object(["b": .number("1"), "c": .number("2")])])
    ),
    (
      #"{"x":1,"\u0079":{"\u007a":{"\n":[{"\t":{}}]}}}"#,
      .object([
        "x": .number("1"),
        "y": .object(["z": .object(["\n": .array([.object(["\t": .object(JSONObject())])])])]),
      ])
    ),
  ])
  func escapedKeysAroundNestedObjects(text: String, expected: JSONValue) throws {
    #expect(try JSONParser.parse(text) == expected)
  }

  @Test func anOuterDuplicateAfterANestedObjectIsStillMerged() throws {
    // The nested object used to drop the outer key spans, so the repeated "a" went unseen.
    let value = try JSONParser.parse(#"{"a":{"b":1},"a":2}"#)
    #expect(value == .object(["a": .number("2")]))
    let escaped = try JSONParser.parse(#"{"a":{"b":1},"\u0061":{"c":3},"d":4}"#)
    #expect(escaped == .object(["a": .object(["c": .number("3")]), "d": .number("4")]))
  }

  @Test func innerAndOuterKeysAreNotConfused() throws {
    // Same key inside and outside is not a duplicate of either object.
    let value = try JSONParser.parse(#"{"a":{"a":1,"b":2},"b":{"a":3}}"#)
    #expect(
      value
        == .object([
          "a": .object(["a": .number("1"), "b": .number("2")]), "b": .object(["a": .number("3")]),
        ]))
    let duplicatesInside = try JSONParser.parse(#"{"k":{"x":1,"x":2},"j":{"\u0078":1,"x":5}}"#)
    #expect(
      duplicatesInside
        == .object(["k": .object(["x": .number("2")]), "j": .object(["x": .number("5")])]))
  }

  @Test func manyMembersWithNestedObjectsAndDuplicates() throws {
    // More than 32 members takes the hashed path; each value nests escaped keys.
    var text = "{"
    for index in 0..<50 { text += #""k\#(index)":{"\u0069":\#(index),"j":{"\n":true}},"# }
    text += #""k7":"last","\u006b8":null}"#
    let value = try JSONParser.parse(text)
    guard case .object(let object) = value else {
      Issue.record("not an object")
      return
    }
    #expect(object.members.map(\.key) == (0..<50).map { "k\($0)" })
    #expect(object["k7"] == .string("last"))
    #expect(object["k8"] == .null)
    #expect(object["k9"] == .object(["i": .number("9"), "j": .object(["\n": .bool(true)])]))
  }

  @Test func deepObjectsWithEscapedKeysAtTheDepthLimit() throws {
    let depth = JSONParser.maximumDepth
    let text =
      String(repeating: #"{"\n":1,"\u0061":"#, count: depth - 1) + #"{"\u0062":2}"#
      + String(repeating: "}", count: depth - 1)
    var value = try JSONParser.parse(text)
    for _ in 0..<(depth - 1) {
      guard case .object(let object) = value, object.members.count == 2,
        object["\n"] == .number("1"), let inner = object["a"]
      else {
        Issue.record("unexpected shape: \(value)")
        return
      }
      value = inner
    }
    #expect(value == .object(["b": .number("2")]))
  }

  @Test func aLongKeyComparedAgainstManyOthersStaysCorrect() throws {
    // Keys of equal length sharing a long prefix: the pairwise compare (up to 32 members)
    // must see them differ, and find the one repeat.
    let prefix = String(repeating: "p", count: 1000)
    var text = "{"
    for index in 0..<31 { text += #""\#(prefix)\#(index % 10)\#(index / 10)":\#(index),"# }
    text += #""\#(prefix)00":"again"}"#
    guard case .object(let object) = try JSONParser.parse(text) else {
      Issue.record("not an object")
      return
    }
    #expect(object.members.count == 31)
    #expect(object.members.first?.key == "\(prefix)00")
    #expect(object["\(prefix)00"] == .string("again"))
    #expect(object["\(prefix)03"] == .number("30"))
  }
}
