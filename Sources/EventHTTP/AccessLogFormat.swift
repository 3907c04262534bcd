import Foundation

/// The fixed words of an access line, which reads like a line of swift-log's
/// `StreamLogHandler`:
///
/// ```text
/// 2026-11-28T02:14:07+0000 info storefront: [Storefront] GET /api/products/ 200 12345B 57us loop=0
/// ```
///
/// That is `<timestamp> <level> <label>: [<source>] <method> <path> <status> <body bytes>B
/// <microseconds>us loop=<loop>`. The path never has the query string; its bytes below `0x21`,
/// from `0x7F` up, `"` and `\` are written as `\xHH`, and a path longer than
/// ``AccessLogFormat/maximumPathBytes`` written bytes ends in `...`.
public struct AccessLogFormat: Sendable {
  /// The level word of access lines, e.g. `info`.
  public var level: String
  /// The logger label, e.g. `storefront`.
  public var label: String
  /// The word in brackets (swift-log's source module), e.g. `Storefront`.
  public var source: String

  /// The longest path written, in written (escaped) bytes; longer ones are cut and end in `...`.
  public static let maximumPathBytes = 2048

  public init(level: String, label: String, source: String) {
    self.level = level
    self.label = label
    self.source = source
  }

  /// ` <level> <label>: [<source>] `, what follows the timestamp.
  func middle(level: String) -> [UInt8] {
    Array(" \(level) \(label): [\(source)] ".utf8)
  }

  /// A whole line at `level` with `message` (no newline in it), for the writer's own reports.
  func line(level: String, message: String, seconds: Int, utcOffset: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: AccessLogTimestamp.count)
    bytes.withUnsafeMutableBufferPointer { buffer in
      AccessLogTimestamp.write(seconds: seconds, utcOffset: utcOffset, into: buffer.baseAddress!)
    }
    bytes += middle(level: level)
    bytes += Array(message.utf8)
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }
}
