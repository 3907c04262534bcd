/// A request's id, sent back as `X-Request-Id` and written in its access line: the client's
/// own `X-Request-Id` when it is sane (``isSane(_:)``), otherwise one made by the loop.
///
/// A made id is 24 lowercase hex digits: 8 random per server, 2 for the loop, 14 counting
/// the loop's requests (`9f3c2a1b01000000000000a7`-like), so it is unique within a run and
/// unlikely to repeat across runs. Making one allocates nothing.
public enum RequestID: Sendable, Equatable {
  /// The client's value, as sent.
  case client(String)
  /// Made by a loop: `high` holds the server's random part and the loop, `counter` the count.
  case generated(high: UInt64, counter: UInt64)

  /// The longest client id kept (a longer one is replaced by a made one).
  public static let maximumClientLength = 128
  /// The length of a made id.
  static let generatedLength = 24

  /// Whether `value` may be echoed and logged as it is: 1 to 128 bytes of letters, digits and
  /// `-._:@/+=`, as common tracing ids (UUIDs, W3C trace ids, base64) are.
  public static func isSane(_ value: String) -> Bool {
    let bytes = value.utf8
    guard !bytes.isEmpty, bytes.count <= maximumClientLength else { return false }
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"),
        UInt8(ascii: "+"), UInt8(ascii: "="):
        continue
      default:
        return false
      }
    }
    return true
  }

  /// The id as text (allocates; for tests and tools, not the request path).
  public var text: String {
    switch self {
    case .client(let value): return value
    case .generated:
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.generatedLength) {
        buffer in
        let count = write(into: buffer.baseAddress!)
        return String(
          decoding: UnsafeBufferPointer(start: buffer.baseAddress!, count: count), as: UTF8.self)
      }
    }
  }

  /// Writes a made id's 24 hex digits at `out` and returns 24; for a client id, writes
  /// nothing and returns 0 (use its string).
  func write(into out: UnsafeMutablePointer<UInt8>) -> Int {
    guard case .generated(let high, let counter) = self else { return 0 }
    Self.hex(high, digits: 10, into: out)
    Self.hex(counter, digits: 14, into: out + 10)
    return Self.generatedLength
  }

  /// Calls `body` with the id as a NUL-terminated C string (no allocation).
  func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
    switch self {
    case .client(let value):
      return value.withCString(body)
    case .generated:
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.generatedLength + 1) {
        buffer in
        let count = write(into: buffer.baseAddress!)
        buffer[count] = 0
        return buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: count + 1) {
          body(UnsafePointer($0))
        }
      }
    }
  }

  private static func hex(_ value: UInt64, digits: Int, into out: UnsafeMutablePointer<UInt8>) {
    var rest = value
    for position in stride(from: digits - 1, through: 0, by: -1) {
      let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
      out[position] = nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
      rest >>= 4
    }
  }
}

/// Makes the ids of one loop's requests. Used only on that loop's thread.
struct RequestIDSource {
  private let high: UInt64
  private var counter: UInt64 = 0

  /// `random` (per server) and `loop` make the first 10 hex digits.
  init(random: UInt32, loop: Int) {
    high = UInt64(random) << 8 | UInt64(UInt8(truncatingIfNeeded: loop))
  }

  /// The client's id when sane, else the next made one.
  mutating func id(client: String?) -> RequestID {
    if let client, RequestID.isSane(client) { return .client(client) }
    counter &+= 1
    return .generated(high: high, counter: counter & 0x00FF_FFFF_FFFF_FFFF)
  }
}
