import EventHTTP
import Testing

@testable import Storefront

/// The readers behind list queries and pagination links, unit by unit.
@Suite("Query strings, pagination numbers and links")
struct QueryParsingTests {
  @Test func queryStringsReadAsDjangosQueryDict() throws {
    let query = try QueryParameters("a=1&b=&c&a=2&&d=x+y%20z%2B&%E2%82%AC=%FF&=v")
    #expect(query.pairs.map(\.name) == ["a", "b", "c", "a", "d", "€", ""])
    #expect(query["a"] == "2")
    #expect(query["b"] == "")
    #expect(query["c"] == "")
    #expect(query["d"] == "x y z+")
    #expect(query["€"] == "\u{FFFD}")
    #expect(query[""] == "v")
    #expect(query["missing"] == nil)
    #expect(try QueryParameters("").pairs.isEmpty)
    #expect(try QueryParameters("%4").pairs.first?.name == "%4")
    #expect(throws: APIError.self) { try QueryParameters("a&b&c", maximumFields: 2) }
    #expect(try QueryParameters("a&b", maximumFields: 2).pairs.count == 2)
  }

  @Test func pythonIntegersAsDRFReadsLimitAndOffset() {
    #expect(PythonInteger("  +007 ")?.digits == "7")
    #expect(PythonInteger("-0")?.value == 0)
    #expect(PythonInteger("-1") == nil)
    #expect(PythonInteger("1.0") == nil)
    #expect(PythonInteger("") == nil)
    #expect(PythonInteger("+") == nil)
    #expect(PythonInteger("1 2") == nil)
    let huge = PythonInteger("000123456789012345678901234567890")
    #expect(huge?.digits == "123456789012345678901234567890")
    #expect(huge?.value == Int.max)
    #expect(huge?.subtracting(91).digits == "123456789012345678901234567799")
    #expect(
      PythonInteger("1000000000000000000000")?.subtracting(1).digits == "999999999999999999999")
    #expect(PythonInteger(String(repeating: "9", count: 4300)) != nil)
    #expect(PythonInteger(String(repeating: "9", count: 4301)) == nil)
    #expect(PythonInteger(50).subtracting(20).digits == "30")
  }

  @Test func linksAreEncodedAsPythonsUrlencode() {
    #expect(LimitOffsetPagination.quotePlus("a b,c/d~e_f.g-h") == "a+b%2Cc%2Fd~e_f.g-h")
    #expect(LimitOffsetPagination.quotePlus("crème+€") == "cr%C3%A8me%2B%E2%82%AC")
    #expect(LimitOffsetPagination.quotePlus("") == "")
  }

  @Test func hostHeadersAsDjangoValidatesThem() {
    for host in [
      "example.com", "Example.COM:8080", "127.0.0.1", "[::1]", "[::1]:8000", "[2001:db8::1]",
      "localhost", "a-b.c",
    ] {
      #expect(LimitOffsetPagination.isValidHost(host), "\(host)")
    }
    for host in [
      "exa_mple.com", "example.com:", "example.com:80x", ":80", "[::1", "[zz::1]", "[]",
      "a b", "example.com/x", "[1]",
    ] {
      #expect(!LimitOffsetPagination.isValidHost(host), "\(host)")
    }
  }

  @Test func idempotencyKeysArePrintableASCII() throws {
    #expect(try IdempotencyKeyHeader.parse(HTTPHeaders()) == nil)
    #expect(try IdempotencyKeyHeader.parse(["Idempotency-Key": "abc"]) == "abc")
    #expect(
      try IdempotencyKeyHeader.parse(["idempotency-key": "a", "IDEMPOTENCY-KEY": "b"]) == "a,b")
    #expect(
      try IdempotencyKeyHeader.parse(["Idempotency-Key": String(repeating: "x", count: 255)]) != nil
    )
    for bad in ["", String(repeating: "x", count: 256), "a\u{7F}", "é", "a\tb"] {
      #expect(throws: APIError.self) { try IdempotencyKeyHeader.parse(["Idempotency-Key": bad]) }
    }
  }
}
