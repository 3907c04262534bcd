import Foundation

/// The fixed words of an access line. As text (``Style/text``) it reads like a line of
/// swift-log's `StreamLogHandler`:
///
/// ```text
/// 2026-11-28T02:14:07+0000 info storefront: [Storefront] GET /api/products/ 200 12345B 57us loop=0 id=9f3c2a1b01000000000000a7
/// ```
///
/// That is `<timestamp> <level> <label>: [<source>] <method> <path> <status> <body bytes>B
/// <microseconds>us loop=<loop> id=<request id>`. As JSON (``Style/json``), one object a line
/// with the same fields:
///
/// ```text
/// {"timestamp":"2026-11-28T02:14:07+0000","level":"info","label":"storefront","source":"Storefront","method":"GET","path":"/api/products/","status":200,"bytes":12345,"microseconds":57,"loop":0,"request_id":"9f3c2a1b01000000000000a7"}
/// ```
///
/// The path never has the query string; its bytes below `0x21`, from `0x7F` up, `"` and `\`
/// are written as `\xHH` (in JSON, `\\xHH`: the string's value is the text form), and a path
/// longer than ``AccessLogFormat/maximumPathBytes`` written bytes ends in `...`.
public struct AccessLogFormat: Sendable {
  /// How lines are laid out.
  public enum Style: String, Sendable, CaseIterable {
    /// swift-log's `StreamLogHandler` layout.
    case text
    /// One JSON object per line.
    case json
  }

  /// The level word of access lines, e.g. `info`.
  public var level: String
  /// The logger label, e.g. `storefront`.
  public var label: String
  /// The word in brackets (swift-log's source module), e.g. `Storefront`.
  public var source: String
  public var style: Style

  /// The longest path written, in written (escaped) bytes; longer ones are cut and end in `...`.
  public static let maximumPathBytes = 2048

  public init(level: String, label: String, source: String, style: Style = .text) {
    self.level = level
    self.label = label
    self.source = source
    self.style = style
  }

  /// What comes before the timestamp.
  var leading: [UInt8] {
    style == .json ? Array(#"{"timestamp":""#.utf8) : []
  }

  /// What follows the timestamp, up to the first variable field (the method, or the message).
  func middle(level: String, messageKey: String = "method") -> [UInt8] {
    switch style {
    case .text:
      return Array(" \(level) \(label): [\(source)] ".utf8)
    case .json:
      let fields: String =
        "\",\"level\":\(Self.quoted(level)),\"label\":\(Self.quoted(label)),"
        + "\"source\":\(Self.quoted(source)),\"\(messageKey)\":\""
      return Array(fields.utf8)
    }
  }

  /// A whole line at `level` with `message` (no newline in it), for the writer's own reports.
  func line(level: String, message: String, seconds: Int, utcOffset: Int) -> [UInt8] {
    var bytes = leading
    let start = bytes.count
    bytes += [UInt8](repeating: 0, count: AccessLogTimestamp.count)
    bytes.withUnsafeMutableBufferPointer { buffer in
      AccessLogTimestamp.write(
        seconds: seconds, utcOffset: utcOffset, into: buffer.baseAddress! + start)
    }
    bytes += middle(level: level, messageKey: "message")
    switch style {
    case .text:
      bytes += Array(message.utf8)
    case .json:
      bytes += Array(Self.escaped(message).utf8)
      bytes += Array(#""}"#.utf8)
    }
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  /// `text` as a JSON string literal.
  static func quoted(_ text: String) -> String { "\"" + escaped(text) + "\"" }

  /// `text` escaped for the inside of a JSON string.
  static func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
