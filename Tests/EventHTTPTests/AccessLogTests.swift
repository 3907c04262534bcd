import EventHTTP
import Foundation
import HTTPTestSupport
import Primitives
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The access log of an in-process ``HTTPServer`` written by an ``AccessLogWriter`` into a real
/// pipe, read (or deliberately not read) by the test.
@Suite(.serialized) struct AccessLogTests {
  static let format = AccessLogFormat(level: "info", label: "test", source: "EventHTTPTests")

  /// `<timestamp> info test: [EventHTTPTests] <method> <path> <status> <n>B <n>us loop=<n> id=<id>`.
  static var accessLine: Regex<AnyRegexOutput> {
    try! Regex(
      #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info test: \[EventHTTPTests\] (GET|POST|HEAD) (\S+) (\d{3}) (\d+)B (\d+)us loop=(\d+) id=([0-9a-f]{24}|[A-Za-z0-9._:@/+=-]{1,128})"#
    )
  }
  static var dropReport: Regex<AnyRegexOutput> {
    try! Regex(
      #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} warning test: \[EventHTTPTests\] access log: dropped (\d+) lines \(buffer full\)"#
    )
  }

  @Test func linesStayWholeWhileOtherThreadsSubmitLongLines() async throws {
    let output = try PipeOutput()
    let writer = AccessLogWriter(fileDescriptor: output.writeEnd)
    // Rings far larger than the burst's lines: nothing can be dropped, whatever the scheduling.
    let log = AccessLog(writer: writer, loops: 2, format: Self.format, bufferBytes: 4 << 20)
    let server = try HTTPServer(
      options: HTTPServerOptions(port: 0, workers: 2), responder: EchoResponder(), observer: log)
    try server.start()
    output.startReading()
    let port = server.port
    let clients = 8
    let perClient = 1250
    let submitters = 3
    try await ClientThreads.run(clients + submitters) { index in
      guard index < clients else {
        // Lines from other threads, some longer than PIPE_BUF (4096), while the loops log.
        let thread = index - clients
        for number in 0..<200 {
          let length = (number * 977 + thread * 131) % 9000 + 1
          let filler = String(repeating: "x", count: length)
          writer.submit("other \(thread) \(number) \(length) \(filler) end\n")
        }
        return
      }
      let connection = try TestConnection(port: port)
      for number in 0..<perClient {
        let path = number % 2 == 0 ? "/now" : "/missing/\(index)-\(number)"
        let response = try connection.request("GET", path)
        #expect(response.status == (number % 2 == 0 ? 200 : 404))
      }
    }
    #expect(await server.shutdown(timeout: .seconds(10)))
    #expect(writer.stop(timeout: .seconds(10)))
    let lines = try output.finish()

    let accessLine = Self.accessLine
    var now = 0
    var missing = Set<String>()
    var others = Set<String>()
    for line in lines {
      if let match = line.wholeMatch(of: accessLine) {
        let path = String(match.output[2].substring!)
        if path == "/now" {
          now += 1
          #expect(match.output[3].substring == "200")
        } else {
          #expect(missing.insert(path).inserted, "two lines for \(path)")
          #expect(match.output[3].substring == "404")
          // EchoResponder's body: "missing GET <path>".
          #expect(match.output[4].substring == Substring(String("missing GET \(path)".utf8.count)))
        }
        #expect(["0", "1"].contains(String(match.output[6].substring!)))
      } else {
        let words = line.split(separator: " ")
        let whole =
          words.count == 6 && words[0] == "other" && words.last == "end"
          && words[4].count == Int(words[3]) && words[4].allSatisfy { $0 == "x" }
        #expect(whole, "torn or interleaved line: \(line.prefix(200))")
        #expect(others.insert("\(words[1]) \(words[2])").inserted)
      }
    }
    #expect(now == clients * perClient / 2)
    #expect(missing.count == clients * perClient / 2)
    #expect(others.count == submitters * 200)
    #expect(log.droppedLines == 0)
  }

  @Test func shutdownReturnsOnlyOnceEveryLineIsInTheFile() async throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("access-log-\(UUID().uuidString)").path
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
    #expect(fd >= 0)
    defer {
      close(fd)
      unlink(path)
    }
    // A long flush interval: only the shutdown's flush can have written the lines in time.
    let writer = AccessLogWriter(fileDescriptor: fd, flushInterval: .seconds(600))
    let log = AccessLog(writer: writer, loops: 2, format: Self.format)
    let server = try HTTPServer(
      options: HTTPServerOptions(port: 0, workers: 2), responder: EchoResponder(), observer: log)
    try server.start()
    let port = server.port
    try await ClientThreads.run(4) { _ in
      let connection = try TestConnection(port: port)
      for _ in 0..<50 { #expect(try connection.request("GET", "/later").status == 200) }
    }
    #expect(await server.shutdown(timeout: .seconds(10)))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let accessLine = Self.accessLine
    let lines = text.split(separator: "\n")
    #expect(lines.count == 200)
    #expect(lines.allSatisfy { $0.wholeMatch(of: accessLine) != nil })
    #expect(text.hasSuffix("\n"))
    #expect(writer.stop(timeout: .seconds(10)))
  }

  @Test func aFullRingDropsAndCountsInsteadOfBlocking() async throws {
    let output = try PipeOutput()
    let writer = AccessLogWriter(fileDescriptor: output.writeEnd)
    // A 4 KiB ring; nobody reads the pipe yet, so the writer blocks once it is full (64 KiB).
    let log = AccessLog(writer: writer, loops: 1, format: Self.format, bufferBytes: 4096)
    let server = try HTTPServer(
      options: HTTPServerOptions(port: 0, workers: 1), responder: EchoResponder(), observer: log)
    try server.start()
    let port = server.port
    let requests = 3000
    try await ClientThreads.one {
      // The client's read timeout is the liveness bound: every request is answered.
      let connection = try TestConnection(port: port, timeout: 30)
      for _ in 0..<requests {
        #expect(try connection.request("GET", "/now").status == 200)
      }
    }
    let dropped = log.droppedLines
    // 3000 lines of ~70 bytes cannot all fit in the pipe and the ring.
    #expect(dropped > 0)
    output.startReading()
    #expect(await server.shutdown(timeout: .seconds(10)))
    #expect(writer.stop(timeout: .seconds(10)))
    let lines = try output.finish()
    let accessLine = Self.accessLine
    let dropReport = Self.dropReport
    let written = lines.filter { $0.wholeMatch(of: accessLine) != nil }.count
    let reported = lines.compactMap { line in
      line.wholeMatch(of: dropReport).map { Int($0.output[1].substring!)! }
    }
    #expect(reported.reduce(0, +) == log.droppedLines)
    #expect(written + log.droppedLines == requests)
    #expect(log.droppedLines >= dropped)
    #expect(written + reported.count == lines.count, "unexpected lines: \(lines.prefix(3))")
  }

  @Test func pathBytesAreEscapedAndQueriesLeftOut() async throws {
    let output = try PipeOutput()
    let writer = AccessLogWriter(fileDescriptor: output.writeEnd)
    let log = AccessLog(writer: writer, loops: 1, format: Self.format)
    let server = try HTTPServer(
      options: HTTPServerOptions(port: 0, workers: 1), responder: EchoResponder(), observer: log)
    try server.start()
    output.startReading()
    let port = server.port
    let long = "/" + String(repeating: "a", count: 5000)
    try await ClientThreads.one {
      let connection = try TestConnection(port: port)
      // Raw bytes on the request line: quote, backslash, UTF-8, a percent-encoded newline.
      // (Control bytes and DEL never get this far: the framing guard refuses them.)
      try connection.send(
        Array("GET /q\"b\\c".utf8) + [0xC3, 0xA9]
          + Array("%0A?token=SECRET1 HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      #expect(try connection.readResponse().status == 404)
      #expect(try connection.request("GET", "/now?password=SECRET2").status == 200)
      #expect(try connection.request("GET", long).status == 404)
    }
    #expect(await server.shutdown(timeout: .seconds(10)))
    #expect(writer.stop(timeout: .seconds(10)))
    let lines = try output.finish()
    #expect(lines.count == 3)
    let paths = lines.compactMap {
      $0.wholeMatch(of: Self.accessLine).map { String($0.output[2].substring!) }
    }
    #expect(paths.count == 3)
    #expect(paths.first == #"/q\x22b\x5Cc\xC3\xA9%0A"#)
    #expect(paths.dropFirst().first == "/now")
    #expect(
      paths.last == "/" + String(repeating: "a", count: AccessLogFormat.maximumPathBytes - 4)
        + "...")
    #expect(!lines.joined().contains("SECRET"))
  }
}

/// A pipe whose write end a writer gets; the test reads the other end on its own thread, from
/// ``startReading()`` until ``finish()`` closes the write end and collects the lines.
final class PipeOutput: Sendable {
  let readEnd: Int32
  let writeEnd: Int32
  private let data = Locked<[UInt8]>([])
  private let done = DispatchSemaphore(value: 0)

  init() throws {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw TestError("pipe: \(errno)") }
    readEnd = ends[0]
    writeEnd = ends[1]
  }

  func startReading() {
    Thread.detachNewThread { [self] in
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = read(readEnd, &chunk, chunk.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        data.withLock { $0 += chunk[..<count] }
      }
      done.signal()
    }
  }

  /// Closes the write end, waits for the reader to see EOF, and returns the lines. Fails when
  /// the output does not end with a newline (a torn last line).
  func finish() throws -> [String] {
    close(writeEnd)
    guard done.wait(timeout: .now() + .seconds(30)) == .success else {
      throw TestError("the pipe reader did not finish")
    }
    close(readEnd)
    let bytes = data.withLock { $0 }
    if let last = bytes.last, last != UInt8(ascii: "\n") {
      throw TestError("the output ends in the middle of a line")
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
  }
}
