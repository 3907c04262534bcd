import Testing

@testable import EventHTTP

/// The framing guard's parser on its own: what it hands to evhttp and what it refuses.
@Suite struct RequestFramerTests {
  static let limits = RequestFramer.Limits(maxHeaderBytes: 1024, maxBodyBytes: 64)

  /// Feeds `text` (optionally one byte at a time) and returns the framer.
  func frame(
    _ text: String, bytewise: Bool = false, budget: BodyBudget? = nil,
    limits: RequestFramer.Limits = limits
  ) -> RequestFramer {
    var framer = RequestFramer(limits: limits, budget: budget)
    let bytes = Array(text.utf8)
    if bytewise {
      for byte in bytes { [byte].withUnsafeBytes { framer.feed($0) } }
    } else {
      bytes.withUnsafeBytes { framer.feed($0) }
    }
    return framer
  }

  func output(_ framer: RequestFramer) -> String { String(decoding: framer.output, as: UTF8.self) }

  @Test func aPlainRequestPassesUnchanged() {
    let request = "GET /api/products/?a=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
    for bytewise in [false, true] {
      let framer = frame(request, bytewise: bytewise)
      #expect(output(framer) == request)
      #expect(framer.framed == [FramedRequest()])
      #expect(!framer.isMidRequest)
    }
  }

  @Test func pipelinedRequestsComeOutInOrderWithTheirBodies() {
    let text =
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      + "GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"
    for bytewise in [false, true] {
      let framer = frame(text, bytewise: bytewise)
      #expect(output(framer) == text)
      #expect(framer.framed.count == 3)
    }
  }

  @Test func anIncompleteRequestIsHeldBack() {
    let framer = frame("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")
    #expect(framer.output.isEmpty)
    #expect(framer.framed.isEmpty)
    #expect(framer.isMidRequest)
  }

  @Test func chunkedBodiesAreDecodedWithExtensionsAndTrailersDropped() {
    let text =
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "3;ext=1\r\nabc\r\n2 ; name=\"v\"\r\nde\r\n0\r\nChecksum: 1\r\n\r\n"
    for bytewise in [false, true] {
      let framer = frame(text, bytewise: bytewise)
      #expect(
        output(framer) == "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde")
      #expect(framer.framed.count == 1)
      #expect(framer.framed[0].rejection == nil)
    }
  }

  @Test func bareLineFeedsAndExpectAreWrittenAnew() {
    let framer = frame(
      "POST /a HTTP/1.1\nHost: x\nExpect: 100-continue\nContent-Length: 2\n\n")
    #expect(framer.continueWanted)
    var more = framer
    Array("hi".utf8).withUnsafeBytes { more.feed($0) }
    #expect(
      String(decoding: more.output, as: UTF8.self)
        == "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
  }

  @Test func absoluteFormBecomesOriginFormWithItsHost() {
    let framer = frame("GET http://shop.example/api/health/?x=1 HTTP/1.1\r\nHost: other\r\n\r\n")
    #expect(
      output(framer) == "GET /api/health/?x=1 HTTP/1.1\r\nHost: shop.example\r\n\r\n")
  }

  @Test func unknownMethodsAndConnectGetAPlaceholderAndLoseTheirBody() {
    let framer = frame(
      "FOOBAR /api/products/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        + "CONNECT shop.example:443 HTTP/1.1\r\nHost: shop.example:443\r\n\r\n"
        + "get / HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(
      output(framer)
        == "UNKNOWN /api/products/ HTTP/1.1\r\nHost: x\r\n\r\n"
        + "UNKNOWN / HTTP/1.1\r\nHost: shop.example:443\r\n\r\n"
        + "UNKNOWN / HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(framer.framed.map(\.methodOverride) == ["FOOBAR", "CONNECT", "get"])
  }

  @Test func headAndTraceBodiesAreReadAndDropped() {
    let framer = frame(
      "HEAD /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    #expect(
      output(framer) == "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
  }

  @Test func aDoubleSlashPathIsRoutedAsSent() {
    let framer = frame("GET //other/products/ HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(output(framer) == "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(framer.framed[0].targetOverride == "//other/products/")
  }

  @Test func identicalContentLengthsAreOneConflictingOnesAreRefused() {
    let same = frame(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nhi")
    #expect(output(same) == "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
    let list = frame("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nhi")
    #expect(list.framed.map(\.rejection) == [nil])
    #expect(output(list) == output(same))
    let conflicting = frame(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhi")
    #expect(conflicting.framed.map(\.rejection) == [.conflictingContentLength])
    #expect(conflicting.framed[0].closesConnection)
    #expect(output(conflicting) == String(decoding: RequestFramer.standIn, as: UTF8.self))
  }

  @Test(
    "Each framing error is refused with its status and detail",
    arguments: [
      ("GET /\u{0} HTTP/1.1\r\nHost: x\r\n\r\n", FramingRejection.badTarget),
      ("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Token a\u{0}b\r\n\r\n", .badHeaderValue),
      ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{1}b\r\n\r\n", .badHeaderValue),
      ("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .badHeaderValue),
      ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .badHeaderField),
      ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", .badHeaderField),
      ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", .badHeaderField),
      ("GET / HTTP/1.1\r\n\r\n", .missingHost),
      ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHosts),
      ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion),
      ("GET / HTTP/1.1x\r\nHost: x\r\n\r\n", .badVersion),
      ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .badRequestLine),
      ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .badRequestLine),
      ("G\u{7F}T / HTTP/1.1\r\nHost: x\r\n\r\n", .badRequestLine),
      ("GET a HTTP/1.1\r\nHost: x\r\n\r\n", .badTarget),
      ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", .badTarget),
      ("GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", .badTarget),
      ("GET http://u@h/ HTTP/1.1\r\nHost: x\r\n\r\n", .badTarget),
      ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", .badContentLength),
      ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", .badContentLength),
      ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", .conflictingContentLength),
      (
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        .lengthAndChunked
      ),
      (
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        .unsupportedTransferEncoding
      ),
      (
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        .badTransferEncoding
      ),
      (
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        .badTransferEncoding
      ),
      ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .badTransferEncoding),
      ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .badChunk),
      ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc", .badChunk),
      ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", .bodyTooLarge),
      ("POST / HTTP/1.1\r\nHost: x\r\nExpect: gzip\r\n\r\n", .expectationFailed),
    ])
  func refusals(request: String, rejection: FramingRejection) {
    for bytewise in [false, true] {
      let framer = frame(request, bytewise: bytewise)
      #expect(framer.framed.map(\.rejection) == [rejection], "\(request.debugDescription)")
      #expect(framer.isRejected)
      #expect(output(framer) == String(decoding: RequestFramer.standIn, as: UTF8.self))
    }
  }

  @Test func everythingAfterARefusalIsIgnored() {
    var framer = frame("GET / HTTP/1.1\r\n\r\n")
    Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8).withUnsafeBytes { framer.feed($0) }
    #expect(framer.framed.count == 1)
  }

  @Test func oversizeHeadsAre431AndOversizeRequestLines414() {
    let longHeader = frame(
      "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n")
    #expect(longHeader.framed.map(\.rejection) == [.headersTooLarge])
    let longLine = frame("GET /" + String(repeating: "a", count: 2000) + " HTTP/1.1\r\n")
    #expect(longLine.framed.map(\.rejection) == [.targetTooLong])
    let manyFields = frame(
      "GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: 101) + "\r\n",
      limits: .init(maxHeaderBytes: 8192, maxBodyBytes: 64))
    #expect(manyFields.framed.map(\.rejection) == [.headersTooLarge])
  }

  @Test func aBodyOverTheLimitIsRefusedBeforeItIsReadAndThenSkipped() {
    // No Expect: the client is sending the body; it is read and dropped, the connection kept.
    let framer = frame(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
        + String(repeating: "x", count: 100) + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(framer.framed.map(\.rejection) == [.bodyTooLarge, nil])
    #expect(framer.framed.map(\.closesConnection) == [false, false])
    #expect(output(framer).hasSuffix("GET /next HTTP/1.1\r\nHost: x\r\n\r\n"))
    // With Expect the client waits and will not send it: refuse and close.
    let expecting = frame(
      "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
    #expect(expecting.framed.map(\.rejection) == [.bodyTooLarge])
    #expect(expecting.framed[0].closesConnection)
  }

  @Test func bodiesDrawOnTheBudgetAndAreRefusedBeyondIt() {
    let budget = BodyBudget(capacity: 10)
    let first = frame("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n", budget: budget)
    #expect(first.reservedByPartialRequest == 8)
    #expect(budget.inUse == 8)
    let second = frame("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n", budget: budget)
    #expect(second.framed.map(\.rejection) == [.uploadsBusy])
    #expect(budget.inUse == 8)
    budget.release(first.reservedByPartialRequest)
    #expect(budget.inUse == 0)
  }

  @Test func theDeadlineRefusesAnIncompleteRequestWith408() {
    var framer = frame("GET / HTTP/1.1\r\nHo")
    #expect(framer.expire() == .refused)
    #expect(framer.framed.map(\.rejection) == [.timedOut])
    var idle = frame("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.clearOutput()
    #expect(idle.expire() == .idle)
    #expect(idle.framed.isEmpty)
  }

  @Test func strayEmptyLinesBetweenRequestsAreSkipped() {
    let framer = frame("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
    #expect(framer.framed.count == 2)
    #expect(output(framer) == "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
  }
}
