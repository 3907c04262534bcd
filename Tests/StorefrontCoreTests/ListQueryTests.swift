import Testing

@testable import StorefrontCore

@Suite struct ListQueryTests {
  @Test func priceBoundsAreExactInCents() throws {
    let cases: [(String, Int64, Int64)] = [
      ("19.99", 1999, 1999), ("19.995", 2000, 1999), ("0.001", 1, 0), (" 5 ", 500, 500),
      ("-19.995", -1999, -2000), ("0e100", 0, 0), ("1e-30", 1, 0), ("2E1", 2000, 2000),
      ("1.", 100, 100), (".5", 50, 50), ("-0", 0, 0),
    ]
    for (text, lower, upper) in cases {
      let bound = try PriceBound.parse(text)
      #expect(bound.lowerCents == lower && bound.upperCents == upper, "\(text)")
    }
    #expect(try PriceBound.parse("1e40").lowerCents == PriceBound.saturation)
    #expect(try PriceBound.parse("-1e40").upperCents == -PriceBound.saturation)
    #expect(try PriceBound.parse("1e50").upperCents == PriceBound.saturation)
    #expect(try PriceBound.parse("1e-999999999").lowerCents == 1)
    for bad in ["", " ", "abc", "NaN", "inf", "1,5", "1e", "--1", "0x10", "1_000"] {
      #expect(throws: FieldMessages("Enter a number.")) { try PriceBound.parse(bad) }
    }
    for big in [
      "1.0000000001e50", "2e50", "1e51", "100000000000000000000000000000000000000000000000001",
    ] {
      #expect(throws: FieldMessages("Ensure this value is less than or equal to 1e+50.")) {
        try PriceBound.parse(big)
      }
    }
  }

  @Test func orderingFollowsDRF() {
    let fields = ["id": 0, "name": 1]
    func parsed(_ text: String?) -> [String] {
      ListQuery.ordering(text, fields: fields).map { ($0.descending ? "-" : "") + String($0.field) }
    }
    #expect(parsed(nil) == [])
    #expect(parsed("") == [])
    #expect(parsed("name") == ["1"])
    #expect(parsed(" -name , id,,bogus,--id,- id") == ["-1", "0"])
  }

  @Test func searchTermsSplitOnSpacesAndCommas() {
    func terms(_ text: String) -> [String] {
      ListQuery.searchTerms(text).map { String(decoding: $0.bytes, as: UTF8.self) }
    }
    #expect(terms("Red  shirt,XL") == ["red", "shirt", "xl"])
    #expect(terms(" ,\t\u{1F}\u{3000}") == [])
    #expect(terms("a\0b") == ["ab"])
    #expect(terms("ÉTÉ") == ["été"])
  }

  @Test func searchIsCaseInsensitiveAndLinear() {
    let term = ListQuery.searchTerms("ABA").first!
    #expect(term.isContained(in: "xxabaxx"))
    #expect(term.isContained(in: "AbA"))
    #expect(!term.isContained(in: "ab"))
    #expect(ListQuery.searchTerms("été").first!.isContained(in: "Un ÉTÉ chaud"))
    #expect(!ListQuery.searchTerms("été").first!.isContained(in: "ete"))
    // KMP: a long run of one letter against a near-miss term stays linear.
    let long = String(repeating: "a", count: 200_000)
    let nearMiss = ListQuery.searchTerms(String(repeating: "a", count: 5_000) + "b").first!
    #expect(!nearMiss.isContained(in: long))
    #expect(nearMiss.isContained(in: long + "b"))
    #expect(ListQuery.matches(ListQuery.searchTerms("a b"), "a", "B"))
    #expect(!ListQuery.matches(ListQuery.searchTerms("a c"), "a", "B"))
  }

  @Test func integersAndBooleansReadAsDjangoDoes() {
    #expect(ListQuery.integer(" 7 ") == 7)
    #expect(ListQuery.integer("+7") == 7)
    #expect(ListQuery.integer("-7") == -7)
    #expect(ListQuery.integer("99999999999999999999") == Int.max)
    for bad in ["", "+", "7.0", "1e3", "0x7", "7a"] {
      #expect(ListQuery.integer(bad) == nil, "\(bad)")
    }
    #expect(ListQuery.boolean("True") == true)
    #expect(ListQuery.boolean("1") == true)
    #expect(ListQuery.boolean("false") == false)
    #expect(ListQuery.boolean("0") == false)
    #expect(ListQuery.boolean("yes") == nil)
    #expect(ListQuery.boolean(nil) == nil)
  }

  @Test func windowsSliceAsDRF() {
    #expect(ListWindow.all.range(count: 5) == 0..<5)
    #expect(ListWindow(offset: 2, limit: 2).range(count: 5) == 2..<4)
    #expect(ListWindow(offset: 4, limit: 2).range(count: 5) == 4..<5)
    #expect(ListWindow(offset: 9, limit: 2).range(count: 5) == 5..<5)
    #expect(ListWindow(offset: Int.max, limit: Int.max).range(count: 5) == 5..<5)
    #expect(ListWindow(offset: 0, limit: Int.max).range(count: 5) == 0..<5)
  }
}
