import Foundation
import JSON
import Testing

/// `JSONParser.parse` against Python's `json`, as Django REST framework 3.18 calls it: the body
/// read through `codecs.getreader("utf-8")`, then `json.load(..., parse_constant=strict)`.
///
/// Thousands of documents from a fixed seed (valid and broken structures, escapes, surrogates,
/// invalid UTF-8, numbers of every shape, nesting near the limit, duplicate keys, BOM, stray
/// whitespace and bytes) must get the same verdict, the same value (member order and
/// last-duplicate-wins of a Python `dict`; integers exactly, other numbers as the Python
/// `float` of our literal, bit for bit) and the same error message.
///
/// Deliberate differences, counted but not failures: an unpaired `\u` surrogate (Python keeps
/// a lone surrogate in the `str`) and nesting deeper than `JSONParser.maximumDepth` (Python
/// goes on until `RecursionError`, which DRF does not catch: a 500).
@Suite("JSON parser against Python's json (DRF's path)")
struct JSONPythonDifferentialTests {
  static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
  static let python = PythonReference.executable()

  @Test(
    "thousands of generated documents: same verdict, value and message as Python",
    .enabled(if: python != nil || inCI, "python3 is not installed"))
  func sameAsPython() throws {
    let python = try #require(Self.python, "python3 is needed (and required when CI=true)")
    var generator = DocumentGenerator(seed: 0x5EED_0F_D0C5)
    let documents = generator.documents()
    let verdicts = try PythonReference.verdicts(for: documents, python: python)
    try #require(verdicts.count == documents.count, "python gave \(verdicts.count) verdicts")

    var tally = Tally()
    for (document, verdict) in zip(documents, verdicts) {
      tally.compare(document, verdict)
    }
    print(
      "JSON differential: \(documents.count) documents, \(tally.bothAccepted) accepted and "
        + "\(tally.bothRejected) rejected by both; deliberate differences: "
        + "\(tally.loneSurrogates) lone surrogates, \(tally.tooDeep) too deep; "
        + "\(tally.differences.count) differences")
    if !tally.differences.isEmpty {
      let examples = tally.differences.prefix(15).joined(separator: "\n")
      Issue.record("\(tally.differences.count) differences, e.g.:\n\(examples)")
    }
    // The corpus really exercises both sides and both deliberate differences.
    #expect(documents.count >= 5000)
    #expect(tally.bothAccepted > 1500 && tally.bothRejected > 1500)
    #expect(tally.loneSurrogates > 10 && tally.tooDeep > 10)
  }
}

/// Compares our parser's answer with Python's for each document.
struct Tally {
  var bothAccepted = 0
  var bothRejected = 0
  var loneSurrogates = 0
  var tooDeep = 0
  var differences: [String] = []

  mutating func compare(_ document: [UInt8], _ verdict: PythonReference.Verdict) {
    let ours = Result { () throws(JSONParseError) in try JSONParser.parse(document) }
    let shown = Self.show(document)
    switch (ours, verdict) {
    case (.success(let value), .accepted(let canonical, _, _)):
      let mine = Canonical.form(of: value)
      if mine == canonical {
        bothAccepted += 1
      } else {
        differences.append("value of \(shown): ours \(mine), python \(canonical)")
      }
    case (.success, .rejected(let message)):
      differences.append("we accept \(shown), python: \(message)")
    case (.success, .recursionError):
      differences.append("we accept \(shown), python: RecursionError")
    case (.failure(let error), .accepted(_, let depth, let lone)):
      if error.kind == .unpairedSurrogate && lone {
        loneSurrogates += 1
      } else if error.kind == .tooDeep && depth > JSONParser.maximumDepth {
        tooDeep += 1
      } else {
        differences.append("we reject \(shown) (\(error)), python accepts")
      }
    case (.failure(let error), .rejected(let message)):
      if error.description == message {
        bothRejected += 1
      } else if error.kind == .unpairedSurrogate {
        // Python read on past the lone surrogate and found a later problem.
        loneSurrogates += 1
      } else if error.kind == .tooDeep {
        tooDeep += 1
      } else {
        differences.append("message for \(shown): ours \(error), python \(message)")
      }
    case (.failure(let error), .recursionError):
      if error.kind == .tooDeep {
        tooDeep += 1
      } else {
        differences.append("we reject \(shown) (\(error)), python: RecursionError")
      }
    }
  }

  /// A short printable form of a document for failure messages.
  static func show(_ document: [UInt8]) -> String {
    let text = document.prefix(160).map { byte -> String in
      (0x20..<0x7F).contains(byte) && byte != UInt8(ascii: "\\")
        ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }.joined()
    return "<\(text)\(document.count > 160 ? "…(\(document.count) bytes)" : "")>"
  }
}

/// The canonical text both sides print for a value (see the Python `canon` below).
enum Canonical {
  static func form(of value: JSONValue) -> String {
    var out = ""
    append(value, to: &out)
    return out
  }

  private static func append(_ value: JSONValue, to out: inout String) {
    switch value {
    case .null: out += "n"
    case .bool(let flag): out += flag ? "t" : "f"
    case .number(let literal):
      if literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
        // Python's float() of the literal; Swift's Double(String) rounds the same way.
        let bits = String(Double(literal)?.bitPattern ?? 0xDEAD, radix: 16)
        out += "d" + String(repeating: "0", count: 16 - bits.count) + bits
      } else {
        out += "i" + (literal == "-0" ? "0" : literal)
      }
    case .string(let text): appendString(text, to: &out)
    case .array(let elements):
      out += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { out += "," }
        append(element, to: &out)
      }
      out += "]"
    case .object(let object):
      out += "{"
      for (index, member) in object.members.enumerated() {
        if index > 0 { out += "," }
        appendString(member.key, to: &out)
        out += ":"
        append(member.value, to: &out)
      }
      out += "}"
    }
  }

  private static func appendString(_ text: String, to out: inout String) {
    out += "s"
    for byte in text.utf8 {
      out += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
    }
    out += ";"
  }
}

/// Runs python3 over the documents.
enum PythonReference {
  enum Verdict {
    /// Python's canonical form, the value's nesting depth, whether a `str` in it holds a lone
    /// surrogate.
    case accepted(String, depth: Int, loneSurrogate: Bool)
    /// `str(exception)` of the `ValueError` DRF turns into "JSON parse error - ...".
    case rejected(String)
    case recursionError
  }

  /// DRF's JSONParser.parse and the canonical form, one document (hex) per input line.
  static let script = #"""
    import codecs, io, json, struct, sys

    def strict_constant(o):  # rest_framework.utils.json.strict_constant
        raise ValueError("Out of range float values are not JSON compliant: " + repr(o))

    class Pairs(list):
        """An object's members before the dict drops duplicates (object_pairs_hook)."""

    def canon(v):
        if v is None: return "n"
        if v is True: return "t"
        if v is False: return "f"
        if isinstance(v, int): return "i" + str(v)
        if isinstance(v, float): return "d" + struct.pack(">d", v).hex()
        if isinstance(v, str): return "s" + v.encode("utf-8", "surrogatepass").hex() + ";"
        if isinstance(v, Pairs):  # what json.load's dict holds: first position, last value
            return "{" + ",".join(canon(k) + ":" + canon(x) for k, x in dict(v).items()) + "}"
        return "[" + ",".join(canon(x) for x in v) + "]"

    def depth(v):  # duplicates included: our parser sees their values too
        if isinstance(v, Pairs): return 1 + max((depth(x) for _, x in v), default=0)
        if isinstance(v, list): return 1 + max((depth(x) for x in v), default=0)
        return 0

    def lone(v):
        if isinstance(v, str): return any(0xD800 <= ord(c) <= 0xDFFF for c in v)
        if isinstance(v, Pairs): return any(lone(k) or lone(x) for k, x in v)
        if isinstance(v, list): return any(lone(x) for x in v)
        return False

    sys.setrecursionlimit(10000)
    with open(sys.argv[1]) as source, open(sys.argv[2], "w") as out:
        for line in source:
            body = bytes.fromhex(line.strip())
            sys.set_int_max_str_digits(4300)  # Python's default, whatever the environment says
            try:
                value = json.load(
                    codecs.getreader("utf-8")(io.BytesIO(body)),
                    parse_constant=strict_constant, object_pairs_hook=Pairs)
            except RecursionError:
                out.write("E\n")
                continue
            except ValueError as error:
                out.write("R " + str(error).replace("\n", "\\n") + "\n")
                continue
            sys.set_int_max_str_digits(0)
            out.write("A %d %d %s\n" % (depth(value), lone(value), canon(value)))
    """#

  static func executable() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/python3" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static func verdicts(for documents: [[UInt8]], python: String) throws -> [Verdict] {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("json-differential-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let scriptFile = directory.appendingPathComponent("reference.py")
    let input = directory.appendingPathComponent("documents.hex")
    let output = directory.appendingPathComponent("verdicts.txt")
    try script.write(to: scriptFile, atomically: true, encoding: .utf8)
    let hexDigits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    for document in documents {
      for byte in document {
        hex.append(hexDigits[Int(byte >> 4)])
        hex.append(hexDigits[Int(byte & 0xF)])
      }
      hex.append(UInt8(ascii: "\n"))
    }
    try Data(hex).write(to: input)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [scriptFile.path, input.path, output.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let errorText = String(
      decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 failed: \(errorText)")
    let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
    return lines.map { line in
      if line == "E" { return .recursionError }
      if line.hasPrefix("R ") {
        return .rejected(String(line.dropFirst(2)).replacingOccurrences(of: "\\n", with: "\n"))
      }
      let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
      return .accepted(
        parts.count > 3 ? String(parts[3]) : "?", depth: Int(parts[1]) ?? -1,
        loneSurrogate: parts[2] == "1")
    }
  }
}
