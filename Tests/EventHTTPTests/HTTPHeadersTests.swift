import EventHTTP
import Testing

@Suite struct HTTPHeadersTests {
  @Test func lookupIgnoresASCIICaseOnly() {
    let headers: HTTPHeaders = ["Content-Type": "application/json", "X-A": "1", "x-a": "2"]
    #expect(headers["content-type"] == "application/json")
    #expect(headers["CONTENT-TYPE"] == "application/json")
    #expect(headers["x-A"] == "1")
    #expect(headers["Content-Typ"] == nil)
    #expect(headers["Content_Type"] == nil)
    // '-' (0x2D) and '\r' (0x0D) differ only in bit 0x20: not a letter, so not equal.
    let dashed: HTTPHeaders = ["a-b": "x"]
    #expect(dashed["a\rb"] == nil)
  }
}
