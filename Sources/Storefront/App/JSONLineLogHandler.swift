import EventHTTP
import Foundation
import JSON
import Logging

/// swift-log lines as JSON objects (`log.format` `json`), one per line, through the writer of
/// standard error:
///
/// ```text
/// {"timestamp":"2026-11-28T02:14:07+0000","level":"info","label":"storefront","source":"Storefront","message":"ready","metadata":{"records":"120"}}
/// ```
///
/// `metadata` (values as text) appears only when there is some.
struct JSONLineLogHandler: LogHandler {
  let label: String
  let writer: AccessLogWriter
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]
  var metadataProvider: Logger.MetadataProvider?

  init(label: String, writer: AccessLogWriter) {
    self.label = label
    self.writer = writer
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var all = metadata
    if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
    if let extra = event.metadata { all.merge(extra) { _, new in new } }
    var members: [JSONObject.Member] = [
      .init("timestamp", .string(Self.timestamp())), .init("level", .string("\(event.level)")),
      .init("label", .string(label)), .init("source", .string(event.source)),
      .init("message", .string(event.message.description)),
    ]
    if !all.isEmpty {
      let fields = all.keys.sorted().map { JSONObject.Member($0, .string("\(all[$0]!)")) }
      members.append(.init("metadata", .object(JSONObject(fields))))
    }
    var line = JSONValue.object(JSONObject(members)).encoded()
    line.append(UInt8(ascii: "\n"))
    writer.submit(String(decoding: line, as: UTF8.self))
  }

  /// Local time as `StreamLogHandler` writes it: `2026-11-28T02:14:07+0000`.
  static func timestamp() -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
