import Foundation
import HTTPTestSupport
import JSON
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Thousands of requests mangled at random (a fixed seed), each on its own connection: every
/// byte that comes back must be well-framed responses with a JSON body and a Content-Length,
/// none a 5xx other than the documented 503s, none evhttp's own HTML; the server survives.
@Suite("API: mutated requests", .serialized)
struct APIMutatedRequestTests {
  /// Requests the API understands, to mutate.
  static let seeds: [String] = [
    "GET /api/products/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /api/products/categories/?a=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
    "POST /api/users/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      + "Content-Length: 40\r\n\r\n{\"username\": \"a\", \"password\": \"bbbbbb\"}",
    "POST /api/users/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      + "Content-Length: 49\r\n\r\nusername=u&email=u%40example.com&password=abcdefgh",
    "POST /api/orders/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token abc\r\n"
      + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
      + "5;x=y\r\n{\"ite\r\n9\r\nms\": []}\r\n0\r\n\r\n",
    "PATCH /api/orders/1/update-status/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
      + "GET /api/health/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    "OPTIONS /api/products/ HTTP/1.0\r\n\r\n",
  ]

  /// Bytes a mutation likes to insert: framing characters and the hostile ones.
  static let interesting: [UInt8] =
    Array("\0\r\n \t:;,=%\"\\{}0123456789-+/?#@".utf8) + [
      0x7F, 0xFF, 0x80, 0x01, 0x0B,
    ]

  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
  }

  static func mutate(_ seed: [UInt8], _ random: inout Generator) -> [UInt8] {
    var bytes = seed
    for _ in 0..<(1 + random.below(4)) where !bytes.isEmpty {
      let at = random.below(bytes.count)
      let byte =
        random.below(3) == 0
        ? UInt8(truncatingIfNeeded: random.next())
        : interesting[random.below(interesting.count)]
      switch random.below(5) {
      case 0: bytes[at] = byte
      case 1: bytes.insert(byte, at: at)
      case 2: bytes.remove(at: at)
      case 3:
        // Repeat a stretch (duplicated headers, doubled lengths).
        let end = min(bytes.count, at + 1 + random.below(40))
        bytes.insert(contentsOf: bytes[at..<end], at: end)
      default:
        bytes.insert(contentsOf: bytes[at...].prefix(random.below(200) + 1), at: bytes.count)
      }
    }
    return bytes
  }

  /// Reads everything until the server closes (or 5 s pass).
  static func drain(_ connection: TestConnection) -> [UInt8] {
    var all: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = recv(connection.fd, &chunk, chunk.count, 0)
      if count <= 0 { return all }
      all += chunk[..<count]
    }
  }

  /// Splits `bytes` into responses; records an issue for anything that is not a framed JSON
  /// reply. Returns their statuses.
  static func check(_ bytes: [UInt8], request: [UInt8]) -> [Int] {
    var rest = bytes[...]
    var statuses: [Int] = []
    let headless = request.starts(with: Array("HEAD".utf8))
    while !rest.isEmpty {
      guard let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) else {
        Issue.record("unframed bytes: \(String(decoding: rest.prefix(200), as: UTF8.self))")
        return statuses
      }
      let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self)
      var lines = head.components(separatedBy: "\r\n")
      let statusLine = lines.removeFirst().split(separator: " ")
      guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
        Issue.record("bad status line: \(head)")
        return statuses
      }
      var fields: [String: String] = [:]
      for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...]
          .trimmingCharacters(in: .whitespaces)
      }
      statuses.append(status)
      guard let length = fields["content-length"].flatMap(Int.init) else {
        Issue.record("no Content-Length: \(head)")
        return statuses
      }
      let bodyStart = end.upperBound
      let bodyLength = headless ? 0 : length
      guard rest.count - (bodyStart - rest.startIndex) >= bodyLength else {
        Issue.record("short body: \(head)")
        return statuses
      }
      let body = Array(rest[bodyStart..<(bodyStart + bodyLength)])
      if !headless {
        #expect(fields["content-type"] == "application/json", "\(head)")
        #expect((try? JSONParser.parse(body)) != nil, "\(String(decoding: body, as: UTF8.self))")
      }
      #expect(status < 500 || status == 503 || status == 501 || status == 505, "\(head)")
      rest = rest[(bodyStart + bodyLength)...]
    }
    return statuses
  }

  @Test func everyAnswerIsFramedJSONAndTheServerSurvives() async throws {
    try await withAPIServer(adjust: { $0.limits.requestTimeoutSeconds = 1 }) { server in
      let port = server.port
      let statuses = try await ClientThreads.one { () -> [Int: Int] in
        var random = Generator(state: 0x5eed)
        var seen: [Int: Int] = [:]
        for round in 0..<2500 {
          let seed = Array(Self.seeds[round % Self.seeds.count].utf8)
          let request = Self.mutate(seed, &random)
          let connection = try TestConnection(port: port, timeout: 5)
          try? connection.send(request)
          // The client is done sending: an incomplete request ends with the connection.
          shutdown(connection.fd, Int32(SHUT_WR))
          for status in Self.check(Self.drain(connection), request: request) {
            seen[status, default: 0] += 1
          }
        }
        return seen
      }
      print("mutated requests: statuses \(statuses.sorted { $0.key < $1.key })")
      #expect(statuses.keys.contains(400))
      #expect(try await server.client.get("/health/").status == 200)
    }
  }
}
