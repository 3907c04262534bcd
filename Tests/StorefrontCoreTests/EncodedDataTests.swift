import JSON
import Primitives
import Testing

@testable import StorefrontCore

/// Replay's fast path (`ShopEvent(type:encodedData:)`) against the general one
/// (`JSONParser` + `ShopEvent(type:data:)`).
@Suite struct EncodedDataTests {
  /// The event the general path makes of `data`, and the fast path's (nil: declined).
  func decodeBoth(_ type: String, _ data: String) throws -> (ShopEvent?, ShopEvent?) {
    let bytes = Array(data.utf8)
    let general = try? ShopEvent(type: type, data: JSONParser.parse(bytes))
    let fast = bytes.withUnsafeBytes { ShopEvent(type: type, encodedData: $0) }
    return (general, fast)
  }

  @Test func everyOrderEventOfAShopDecodesAsTheGeneralPathDecodesIt() async throws {
    let sink = InMemoryEventSink()
    let shop = try await populatedShop(sink: sink)
    let snapshot = await shop.currentState().snapshotEvents()
    var fastCount = 0
    for event in sink.events + snapshot {
      let data = event.encodeData().encoded()
      let (general, fast) = try decodeBoth(event.type, String(decoding: data, as: UTF8.self))
      #expect(general == event)
      if let fast {
        #expect(fast == event)
        fastCount += 1
      }
    }
    // orderPlaced x3, orderStatusChanged x2, orderRestored x3.
    #expect(fastCount == 8)
  }

  @Test func anythingButTheWrittenFormIsLeftToTheGeneralPath() throws {
    let placed =
      #"{"id":7,"user":2,"user_name":"bob","created_at":"2026-01-14T05:07:06.527149Z","#
      + #""items":[{"id":9,"product":1,"variant":null,"quantity":2,"price":12.5}],"#
      + #""stock":[{"variant":3,"delta":-2}]}"#
    let (general, fast) = try decodeBoth("orderPlaced", placed)
    #expect(general != nil)
    #expect(fast == general)
    let variants = [
      placed.replacing(#""id":7,"#, with: #""id": 7,"#),  // whitespace
      placed.replacing(#""bob""#, with: #""b\u006fb""#),  // an escape
      placed.replacing(#""bob""#, with: #""böb""#),  // non-ASCII
      placed.replacing(#""id":7,"#, with: #""id":7.0,"#),  // not an integer
      placed.replacing(#""id":7,"#, with: #""id":99999999999999999999,"#),
      placed.replacing(#""id":7,"#, with: #""id":07,"#),  // invalid JSON
      placed.replacing("12.5", with: "12.505"),  // too many decimals
      placed.replacing("12.5", with: "1.25e1"),
      placed.replacing("12.5", with: "\"12.5\""),
      placed.replacing("12.5", with: "123456789"),  // too many whole digits
      placed.replacing("2026-01-14T05", with: "2026-13-14T05"),
      placed.replacing(#""user":2,"user_name""#, with: #""user_name""#),
      placed + " ",
      placed.replacing("}]}", with: "}],\"extra\":1}"),
      #"{"user":2,"id":7"# + placed.dropFirst(#"{"id":7,"user":2"#.count),  // reordered
    ]
    for variant in variants {
      let (general, fast) = try decodeBoth("orderPlaced", variant)
      #expect(fast == nil, "\(variant)")
      // Where the general path still reads it, it is the same order.
      if variant.contains("b\\u006fb") || variant.contains("\"id\": 7") || variant.hasSuffix(" ")
        || variant.contains("extra") || variant.hasPrefix(#"{"user":2"#)
      {
        #expect(general == (try decodeBoth("orderPlaced", placed)).0)
      }
    }
    #expect(try decodeBoth("userRegistered", #"{"id":1}"#).1 == nil)
  }

  @Test func orderTableKeepsOrdersUnderAnyIds() {
    var table = OrderTable()
    func order(_ id: Int) -> Order {
      Order(
        id: id, userId: 1, userName: "u", status: .created, items: [],
        createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
    }
    for id in [1, 2, 3, 5, 1_000_000_000, -4, 4000, 900] { table[id] = order(id) }
    #expect(table.count == 8)
    for id in [1, 2, 3, 5, 1_000_000_000, -4, 4000, 900] { #expect(table[id]?.id == id) }
    #expect(table[4] == nil && table[6] == nil && table[999_999] == nil)
    #expect(table.updateValue(order(2), forKey: 2)?.id == 2)
    #expect(table.updateValue(order(6), forKey: 6) == nil)
    table[3] = nil
    table[1_000_000_000] = nil
    #expect(table.count == 7)
    #expect(table.values.map(\.id).sorted() == [-4, 1, 2, 5, 6, 900, 4000])
    var other = OrderTable()
    for id in [4000, 900, 6, 5, 2, 1, -4] { other[id] = order(id) }
    #expect(other == table)
    other[5] = nil
    #expect(other != table)
  }
}
