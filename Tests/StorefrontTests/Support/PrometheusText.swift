import Foundation
import HTTPTestSupport
import Testing

/// A scrape of Prometheus text format (0.0.4), parsed line by line. Parsing records an issue
/// for every line that is not a `# TYPE`, a `# HELP` or a sample of a declared metric.
struct PrometheusText: Sendable {
  struct Sample: Sendable {
    var name: String
    var labels: [String: String]
    var value: Double
  }

  var samples: [Sample] = []
  /// Declared types by metric name.
  var types: [String: String] = [:]

  init(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    let typeLine = try! Regex(#"# TYPE (\#(name)) (counter|gauge|histogram|summary|untyped)"#)
    let sampleLine = try! Regex(#"(\#(name))(?:\{(.*)\})? (\S+)"#)
    let label = try! Regex(#"([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)"#)
    #expect(
      text.hasSuffix("\n"), "the scrape does not end with a newline", sourceLocation: sourceLocation
    )
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
      if line.hasPrefix("# HELP ") { continue }
      if let match = line.wholeMatch(of: typeLine) {
        let metric = String(match.output[1].substring!)
        #expect(types[metric] == nil, "\(metric) declared twice", sourceLocation: sourceLocation)
        types[metric] = String(match.output[2].substring!)
        continue
      }
      guard let match = line.wholeMatch(of: sampleLine) else {
        Issue.record("not a Prometheus line: \(line)", sourceLocation: sourceLocation)
        continue
      }
      let metric = String(match.output[1].substring!)
      var labels: [String: String] = [:]
      if let text = match.output[2].substring {
        var rest = text[...]
        while !rest.isEmpty {
          guard let found = rest.prefixMatch(of: label) else {
            Issue.record("bad labels in \(line)", sourceLocation: sourceLocation)
            break
          }
          labels[String(found.output[1].substring!)] = String(found.output[2].substring!)
          rest = rest[found.range.upperBound...]
        }
      }
      let valueText = String(match.output[3].substring!)
      guard let value = valueText == "+Inf" ? .infinity : Double(valueText) else {
        Issue.record("bad value in \(line)", sourceLocation: sourceLocation)
        continue
      }
      let family = Self.family(of: metric, types: types)
      #expect(
        types[family] != nil, "\(metric) has no # TYPE line before it",
        sourceLocation: sourceLocation)
      samples.append(Sample(name: metric, labels: labels, value: value))
    }
  }

  /// A histogram's `_bucket`/`_sum`/`_count` series belong to the histogram's name.
  static func family(of metric: String, types: [String: String]) -> String {
    for suffix in ["_bucket", "_sum", "_count"] where metric.hasSuffix(suffix) {
      let base = String(metric.dropLast(suffix.count))
      if types[base] == "histogram" { return base }
    }
    return metric
  }

  /// The samples of `name` whose labels include `labels`.
  func series(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
    samples.filter { sample in
      sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
    }
  }

  /// The value of the one sample of `name` with exactly the labels `labels` (0 when absent).
  func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
    samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
  }

  /// The sum of every sample of `name` whose labels include `labels`.
  func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
    series(name, labels).reduce(0) { $0 + $1.value }
  }

  /// Fetches `path` from the server on `port` and parses it.
  static func scrape(
    port: Int, path: String = "/metrics", sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> PrometheusText {
    let response = try await ClientThreads.one {
      let connection = try TestConnection(port: port)
      defer { connection.close() }
      return try connection.request("GET", path)
    }
    try #require(
      response.status == 200, "\(response.status) \(response.text)", sourceLocation: sourceLocation)
    #expect(
      response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8",
      sourceLocation: sourceLocation)
    return PrometheusText(response.text, sourceLocation: sourceLocation)
  }
}
