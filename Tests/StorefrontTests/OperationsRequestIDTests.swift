import Foundation
import HTTPTestSupport
import JSON
import Testing

/// `X-Request-Id`: taken from the request when sane, made otherwise, echoed in the reply and
/// written in the access line, as text or as JSON lines (`log.format`).
@Suite("Operations: request ids and JSON log lines", .serialized)
struct OperationsRequestIDTests {
  static var made: Regex<AnyRegexOutput> { try! Regex(#"[0-9a-f]{24}"#) }

  /// Requests with and without ids; returns (path, id the reply carried).
  static func traffic(port: Int) async throws -> [(path: String, id: String)] {
    try await ClientThreads.one {
      var seen: [(String, String)] = []
      let connection = try TestConnection(port: port)
      func send(_ path: String, _ headers: [(String, String)] = []) throws -> String {
        let response = try connection.request("GET", path, headers: headers)
        let id = try #require(response.headers["x-request-id"], "no X-Request-Id for \(path)")
        seen.append((path, id))
        return id
      }
      for number in 0..<20 {
        let id = try send("/api/products/?n=\(number)")
        #expect(id.wholeMatch(of: made) != nil, "\(id)")
      }
      #expect(
        try send("/api/health/", [("X-Request-Id", "trace-42:abc/DEF+=.x_y@z")])
          == "trace-42:abc/DEF+=.x_y@z")
      // Not sane: spaces, a quote, too long, empty. Each gets a made id instead.
      for (index, bad) in ["two words", "quo\"te", String(repeating: "a", count: 129), ""]
        .enumerated()
      {
        let id = try send("/api/nothing/\(index)/", [("X-Request-Id", bad)])
        #expect(id.wholeMatch(of: made) != nil, "\(bad) -> \(id)")
      }
      // The first sane field of several is taken.
      #expect(
        try send("/api/ready/", [("X-Request-Id", "bad one"), ("x-request-id", "second-ok")])
          == "second-ok")
      return seen
    }
  }

  @Test("ids are echoed and written in the text access line, one line per id")
  func textAccessLines() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: ["STOREFRONT_LOG_LEVEL": "info"])
    }
    defer { try? server.killHard() }
    let seen = try await Self.traffic(port: server.port)
    #expect(Set(seen.map(\.id)).count == seen.count, "ids repeat")
    // A request refused by the framing guard gets an id too.
    let refused = try await ClientThreads.one {
      let connection = try TestConnection(port: server.port)
      try connection.send(Array("GET /api/health/ HTTP/1.1\r\n\r\n".utf8))
      return try connection.readResponse()
    }
    #expect(refused.status == 400)
    #expect(refused.headers["x-request-id"]?.wholeMatch(of: Self.made) != nil)
    #expect(try server.terminate() == 0)
    let lines = server.standardError.split(separator: "\n")
    for (requestPath, id) in seen {
      let matching = lines.filter { $0.hasSuffix(" id=\(id)") }
      #expect(matching.count == 1, "\(id)")
      let path = requestPath.split(separator: "?").first!
      #expect(matching.first?.contains("] GET \(path) ") == true, "\(matching)")
    }
  }

  @Test("log.format json: every line is a JSON object; access lines carry the id and fields")
  func jsonLines() async throws {
    let directory = try APIDataDirectory()
    let path = directory.path
    let server = try await ClientThreads.one {
      try APIServeProcess(
        dataDir: path + "/data", workDirectory: path,
        environment: ["STOREFRONT_LOG_LEVEL": "info", "STOREFRONT_LOG_FORMAT": "json"])
    }
    defer { try? server.killHard() }
    let seen = try await Self.traffic(port: server.port)
    // A path with a quote and a backslash: escaped as \xHH, and the line stays valid JSON.
    let odd = try await ClientThreads.one {
      let connection = try TestConnection(port: server.port)
      let response = try connection.request("GET", #"/api/q"uote\back/"#)
      return (response.status, response.headers["x-request-id"] ?? "")
    }
    #expect(odd.0 == 404)
    #expect(try server.terminate() == 0)
    var access: [String: JSONValue] = [:]
    var messages: [String] = []
    for line in server.standardError.split(separator: "\n") {
      let value = try JSONParser.parse(String(line))
      #expect(value["timestamp"]?.stringValue?.count == 24, "\(line)")
      #expect(value["label"] == .string("storefront"))
      #expect(value["source"] == .string("Storefront"))
      if let id = value["request_id"]?.stringValue {
        #expect(access[id] == nil, "two lines for \(id)")
        access[id] = value
        #expect(value["level"] == .string("info"))
        for key in ["status", "bytes", "microseconds", "loop"] {
          #expect(value[key]?.intValue != nil, "\(key) in \(line)")
        }
      } else {
        messages.append(try #require(value["message"]?.stringValue, "\(line)"))
      }
    }
    for (requestPath, id) in seen {
      let line = try #require(access[id], "no access line for \(id)")
      #expect(line["method"] == .string("GET"))
      #expect(line["path"]?.stringValue == String(requestPath.split(separator: "?").first!))
    }
    #expect(access[odd.1]?["path"] == .string(#"/api/q\x22uote\x5Cback/"#))
    #expect(access[odd.1]?["status"]?.intValue == 404)
    #expect(messages.contains { $0.hasPrefix("storefront listening on") })
    #expect(messages.last == "stopped")
  }
}
