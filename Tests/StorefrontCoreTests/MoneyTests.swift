import JSON
import Primitives
import Testing

@testable import StorefrontCore

@Suite struct MoneyTests {
  @Test(arguments: [
    (JSONValue.number("550"), Int64(55000), "550"),
    (.number("19.99"), 1999, "19.99"),
    (.number("0.5"), 50, "0.5"),
    (.number("5.50"), 550, "5.5"),
    (.number("1.000"), 100, "1"),
    (.number("1e2"), 10000, "100"),
    (.number("0"), 0, "0"),
    (.number("-0"), 0, "0"),
    (.number("0.05"), 5, "0.05"),
    (.string("550.00"), 55000, "550"),
    (.string(" 12.3 "), 1230, "12.3"),
    (.string(".5"), 50, "0.5"),
    (.number("99999999.99"), 9_999_999_999, "99999999.99"),
  ])
  func parsesAndRenders(input: JSONValue, cents: Int64, rendered: String) throws {
    let money = try Money.parse(input)
    #expect(money.cents == cents)
    #expect(money.description == rendered)
    #expect(money.jsonValue == .number(rendered))
    #expect(Money(literal: rendered) == money)
  }

  @Test(arguments: [
    (JSONValue.string("abc"), "A valid number is required."),
    (.string(""), "A valid number is required."),
    (.string("NaN"), "A valid number is required."),
    (.string("Infinity"), "A valid number is required."),
    (.bool(true), "A valid number is required."),
    (.array([]), "A valid number is required."),
    (.object([:]), "A valid number is required."),
    (.null, "This field may not be null."),
    (.number("1.999"), "Ensure that there are no more than 2 decimal places."),
    (.string("1.000"), "Ensure that there are no more than 2 decimal places."),
    (.string("0.001"), "Ensure that there are no more than 2 decimal places."),
    (.number("12345678901"), "Ensure that there are no more than 10 digits in total."),
    (.number("1e10"), "Ensure that there are no more than 10 digits in total."),
    (
      .number("123456789.5"),
      "Ensure that there are no more than 8 digits before the decimal point."
    ),
    (.number("-1"), "Ensure this value is greater than or equal to 0."),
    (.string("-0.01"), "Ensure this value is greater than or equal to 0."),
  ])
  func refuses(input: JSONValue, message: String) {
    #expect(throws: FieldMessages(message)) { try Money.parse(input) }
  }

  @Test func literalParsingRefusesNegativesAndJunk() {
    #expect(Money(literal: "-5") == nil)
    #expect(Money(literal: "x") == nil)
    #expect(Money(literal: "1.234") == nil)
  }
}

@Suite struct TimestampTests {
  @Test func rendersISO8601WithMicroseconds() {
    let time = Timestamp(microseconds: 1_768_367_226_527_149)
    #expect(time.description == "2026-01-14T05:07:06.527149Z")
    #expect(Timestamp(iso8601: time.description) == time)
    #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00.000000Z")
    #expect(
      Timestamp(microseconds: 951_782_400_000_001).description == "2000-02-29T00:00:00.000001Z")
  }

  @Test func parsingRefusesOtherFormats() {
    #expect(Timestamp(iso8601: "2026-01-14T05:07:06Z") == nil)
    #expect(Timestamp(iso8601: "2026-13-14T05:07:06.527149Z") == nil)
    #expect(Timestamp(iso8601: "2026-01-14 05:07:06.527149Z") == nil)
  }

  @Test func nowIsRecent() {
    #expect(Timestamp.now() > Timestamp(iso8601: "2025-01-01T00:00:00.000000Z")!)
  }
}
