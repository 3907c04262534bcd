import EventHTTP
import Foundation
import HTTPTestSupport
import Testing

/// The framing guard in front of evhttp, over real sockets with raw bytes.
@Suite(.serialized) struct HTTPFramingTests {
  func withServer(
    _ options: HTTPServerOptions = HTTPServerOptions(port: 0, workers: 1),
    _ body: @Sendable (HTTPServer) async throws -> Void
  ) async throws {
    let server = try HTTPServer(options: options, responder: EchoResponder())
    try server.start()
    do {
      try await body(server)
    } catch {
      await server.shutdown(timeout: .seconds(5))
      throw error
    }
    await server.shutdown(timeout: .seconds(5))
  }

  /// Sends `raw` on a new connection and reads one response.
  func exchange(_ port: Int, _ raw: String) async throws -> (TestResponse, TestConnection) {
    try await ClientThreads.one {
      let connection = try TestConnection(port: port, timeout: 10)
      try connection.send(Array(raw.utf8))
      return (try connection.readResponse(), connection)
    }
  }

  func expectRejected(
    _ port: Int, _ raw: String, _ status: Int, _ detail: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    let (response, connection) = try await exchange(port, raw)
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers["content-type"] == "application/json", sourceLocation: sourceLocation)
    #expect(
      response.headers["content-length"] == String(response.body.count),
      sourceLocation: sourceLocation)
    #expect(response.text == #"{"detail":"\#(detail)"}"#, sourceLocation: sourceLocation)
    #expect(response.headers["connection"] == "close", sourceLocation: sourceLocation)
    #expect(try await ClientThreads.one { connection.readsEOF() }, sourceLocation: sourceLocation)
  }

  @Test func headRepliesCarryTheLengthAndNoBody() async throws {
    try await withServer { server in
      let port = server.port
      try await ClientThreads.one {
        let connection = try TestConnection(port: port)
        let get = try connection.request("GET", "/query?same")
        try connection.send(
          Array(
            "HEAD /query?same HTTP/1.1\r\nHost: x\r\n\r\nGET /query?after HTTP/1.1\r\nHost: x\r\n\r\n"
              .utf8))
        let head = try connection.readResponse(method: "HEAD")
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == String(get.body.count))
        // Had the HEAD reply carried a body, it would be read as this response's start.
        let next = try connection.readResponse()
        #expect(next.status == 200)
        #expect(next.text == "after")
      }
    }
  }

  @Test func headerRulesOfRFC9112AreEnforcedAsJSON() async throws {
    try await withServer { server in
      let port = server.port
      try await expectRejected(
        port, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhi",
        400, "Conflicting Content-Length headers.")
      try await expectRejected(
        port, "GET /now HTTP/1.1\r\nHost: x\r\nAuthorization: Token abc\u{0}junk\r\n\r\n", 400,
        "Invalid character in a header field value.")
      try await expectRejected(port, "GET /now HTTP/1.1\r\n\r\n", 400, "Missing Host header.")
      try await expectRejected(
        port, "GET /now HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Multiple Host headers.")
      try await expectRejected(
        port,
        "GET /now HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 9000)
          + "\r\n\r\n", 431, "Request header fields too large.")
      try await expectRejected(
        port, "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
        "Request-URI too long.")
      try await expectRejected(
        port, "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400,
        "Malformed chunked request body.")
      try await expectRejected(
        port,
        "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
        400, "Content-Length and Transfer-Encoding must not be sent together.")
      try await expectRejected(
        port, "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
        "Unsupported Transfer-Encoding.")
      try await expectRejected(
        port, "GET /now HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP version not supported.")
      try await expectRejected(
        port, "GET now HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Invalid request target.")
      // The server still answers.
      let (alive, _) = try await exchange(port, "GET /now HTTP/1.1\r\nHost: x\r\n\r\n")
      #expect(alive.status == 200)
    }
  }

  @Test func chunkedBodiesWithExtensionsAreAccepted() async throws {
    try await withServer { server in
      let (response, _) = try await exchange(
        server.port,
        "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "30;ext=1\r\n" + String(repeating: "a", count: 48) + "\r\n3\r\nbcd\r\n0\r\n\r\n")
      #expect(response.status == 200)
      #expect(response.text == String(repeating: "a", count: 48) + "bcd")
    }
  }

  @Test func bytesTricklingOneByOneStillFrameCorrectly() async throws {
    try await withServer { server in
      let port = server.port
      try await ClientThreads.one {
        let connection = try TestConnection(port: port)
        let raw =
          "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
          + "GET /query?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"
        for byte in raw.utf8 { try connection.send([byte]) }
        #expect(try connection.readResponse().text == "abc")
        #expect(try connection.readResponse().text == "q=1")
      }
    }
  }

  @Test func unknownMethodsReachTheResponderByName() async throws {
    try await withServer { server in
      for method in ["FOOBAR", "PROPFIND", "QUERY", "get", "CONNECT"] {
        let (response, _) = try await exchange(
          server.port, "\(method) /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        #expect(response.status == 404)
        #expect(response.text == "missing \(method) /nowhere")
      }
    }
  }

  @Test func targetsInAbsoluteFormAndDoubleSlashesReachTheResponderAsSent() async throws {
    try await withServer { server in
      let (absolute, _) = try await exchange(
        server.port, "GET http://example.com/query?a=b HTTP/1.1\r\nHost: other\r\n\r\n")
      #expect(absolute.text == "a=b")
      let (double, _) = try await exchange(server.port, "GET //x/y HTTP/1.1\r\nHost: x\r\n\r\n")
      #expect(double.text == "missing GET //x/y")
    }
  }

  @Test func expectContinueGetsAnInterimResponseAndTheHeaderIsNotPassedOn() async throws {
    try await withServer { server in
      let port = server.port
      try await ClientThreads.one {
        let connection = try TestConnection(port: port)
        try connection.send(
          Array(
            "POST /headers HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
              .utf8))
        let interim = try connection.readResponse()
        #expect(interim.status == 100)
        try connection.send(Array("hi".utf8))
        let final = try connection.readResponse()
        #expect(final.status == 200)
        #expect(!final.text.lowercased().contains("expect"))
        #expect(final.text.contains("Content-Length: 2"))
      }
    }
  }

  @Test func aTooLargeBodyIsRefusedBeforeItIsReadAndTheConnectionKept() async throws {
    try await withServer(HTTPServerOptions(port: 0, workers: 1, maxBodyBytes: 1024)) { server in
      let port = server.port
      try await ClientThreads.one {
        let connection = try TestConnection(port: port)
        try connection.send(
          Array("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".utf8))
        let refused = try connection.readResponse()
        #expect(refused.status == 413)
        #expect(refused.text == #"{"detail":"Request body too large."}"#)
        // The client goes on sending what it announced; it is read and dropped.
        try connection.send([UInt8](repeating: 0x61, count: 100_000))
        #expect(try connection.request("GET", "/now").status == 200)
      }
    }
  }

  @Test func bodiesBeyondTheInflightBudgetGet503WithRetryAfter() async throws {
    let options = HTTPServerOptions(
      port: 0, workers: 1, maxBodyBytes: 1000, maxInflightBodyBytes: 1500)
    try await withServer(options) { server in
      let port = server.port
      try await ClientThreads.one {
        // Holds 1000 bytes of the budget while its body is still arriving.
        let holder = try TestConnection(port: port)
        try holder.send(
          Array("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc".utf8))
        Thread.sleep(forTimeInterval: 0.2)
        let second = try TestConnection(port: port)
        try second.send(
          Array("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".utf8))
        let refused = try second.readResponse()
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] == "1")
        // Once the first body is complete and answered, the budget is free again.
        try holder.send([UInt8](repeating: 0x62, count: 997))
        #expect(try holder.readResponse().body.count == 1000)
        let third = try TestConnection(port: port)
        #expect(
          try third.request("POST", "/body", body: [UInt8](repeating: 1, count: 1000)).status == 200
        )
      }
      #expect(server.bodyBudget?.inUse == 0)
    }
  }

  @Test func aClientTooSlowForTheRequestDeadlineGets408AndIsClosed() async throws {
    let options = HTTPServerOptions(port: 0, workers: 1, requestTimeoutSeconds: 1)
    try await withServer(options) { server in
      let port = server.port
      let (status, closed) = try await ClientThreads.one {
        let connection = try TestConnection(port: port, timeout: 10)
        // One byte every 200 ms: each would reset a per-read timer, never the deadline. (It
        // stops before the deadline: bytes sent after the close would make the kernel reset
        // the connection, and the reply could be lost.)
        for byte in "GET ".utf8 {
          try connection.send([byte])
          Thread.sleep(forTimeInterval: 0.2)
        }
        let response = try connection.readResponse()
        return (response.status, connection.readsEOF())
      }
      #expect(status == 408)
      #expect(closed)
    }
  }

  @Test func connectionsAreCountedAtAcceptNotAtTheirFirstRequest() async throws {
    ProcessResources.raiseFileLimit(to: 4096)
    let options = HTTPServerOptions(port: 0, workers: 1, maxConnections: 3)
    try await withServer(options) { server in
      let port = server.port
      try await ClientThreads.one {
        // Three connections that never send a byte fill the server.
        let idle = try (0..<3).map { _ in try TestConnection(port: port) }
        var waited = 0
        while server.stats.openConnections.load(ordering: .relaxed) < 3, waited < 500 {
          Thread.sleep(forTimeInterval: 0.01)
          waited += 1
        }
        #expect(server.stats.openConnections.load(ordering: .relaxed) == 3)
        // A fourth waits in the kernel's backlog: its request gets no answer...
        let waiting = try TestConnection(port: port, timeout: 1)
        try waiting.sendRequest("GET", "/now")
        #expect(throws: (any Error).self) { try waiting.readResponse() }
        // ...until one of the idle ones leaves.
        idle[0].close()
        var answered: TestResponse?
        for _ in 0..<10 where answered == nil { answered = try? waiting.readResponse() }
        #expect(answered?.status == 200)
      }
    }
  }
}
