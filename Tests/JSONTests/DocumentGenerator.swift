/// SplitMix64: a small deterministic generator, so every run tests the same documents.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// JSON-ish documents for the differential test: valid ones written with every spelling JSON
/// allows, and broken ones (mutations, bad numbers, bad strings, bad bytes).
struct DocumentGenerator {
  var random: SplitMix64

  init(seed: UInt64) { random = SplitMix64(state: seed) }

  /// The whole corpus, in a fixed order.
  mutating func documents() -> [[UInt8]] {
    var documents: [[UInt8]] = []
    for _ in 0..<2000 { documents.append(whitespace() + value(depth: 0) + whitespace()) }
    for _ in 0..<2000 { documents.append(mutated(whitespace() + value(depth: 0))) }
    for _ in 0..<500 {
      documents.append(number(valid: chance(0.6)))
      documents.append(b("[") + number(valid: chance(0.5)) + b(", ") + number(valid: true) + b("]"))
    }
    for _ in 0..<400 { documents.append(string(valid: chance(0.5))) }
    for depth in [1, 2, 100, 509, 510, 511, 512, 513, 514, 600, 2000] {
      for _ in 0..<6 { documents.append(nested(depth)) }
    }
    documents += special()
    return documents
  }

  // MARK: Random helpers

  private mutating func chance(_ probability: Double) -> Bool {
    Double.random(in: 0..<1, using: &random) < probability
  }

  private mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }

  private mutating func count(_ range: ClosedRange<Int>) -> Int {
    Int.random(in: range, using: &random)
  }

  private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

  private mutating func digits(_ length: Int, leadingNonZero: Bool = true) -> [UInt8] {
    (0..<length).map { index in
      UInt8(ascii: "0") + UInt8(count(index == 0 && leadingNonZero ? 1...9 : 0...9))
    }
  }

  // MARK: Pieces

  private mutating func whitespace() -> [UInt8] {
    if chance(0.6) { return [] }
    if chance(0.03) { return pick([[0x0C], [0x0B], [0xC2, 0xA0], [0x00], [0xE3, 0x80, 0x80]]) }
    return (0..<count(1...4)).flatMap { _ in pick([b(" "), b("\n"), b("\t"), b("\r"), b("\r\n")]) }
  }

  /// A number literal: `valid` ones in every shape JSON allows, else a near miss.
  private mutating func number(valid: Bool) -> [UInt8] {
    if !valid {
      return pick([
        b("01"), b("-01"), b("1."), b(".5"), b("+1"), b("1e"), b("1e+"), b("1E-"), b("-"),
        b("--1"), b("0x10"), b("1_000"), b("NaN"), b("Infinity"), b("-Infinity"), b("nan"),
        b("inf"), b("-Inf"), b("1.5.5"), b("1e5e5"), b("- 1"), b("00"), b("1.e3"), b("-.5"),
        b("١"), digits(4301), b("-") + digits(4301), digits(5000) + b(" x"),
        b("[") + digits(4301) + b(",x"), b("Infinityx"), b("NaNa"), b("tru"), b("nul"),
      ])
    }
    let sign = chance(0.3) ? b("-") : []
    var literal: [UInt8]
    switch count(0...9) {
    case 0: literal = b("0")
    case 1: literal = digits(count(1...3))
    case 2: literal = digits(count(15...40))
    case 3: literal = digits(pick([4299, 4300]))
    case 4: literal = digits(count(1...3)) + b(".") + digits(count(1...20), leadingNonZero: false)
    case 5:
      literal = pick([
        b("0.1"), b("2.2250738585072011e-308"), b("1.7976931348623157e308"),
        b("1.7976931348623159e308"), b("4.9e-324"), b("2.4703282292062327e-324"),
        b("2.4703282292062328e-324"), b("9007199254740993"), b("9007199254740993.0"),
        b("0.30000000000000004"), b("123456789012345678901234567890.5"), b("0e0"), b("0.0"),
      ])
    case 6:
      literal =
        digits(count(1...4)) + pick([b("e"), b("E")]) + pick([[], b("+"), b("-")])
        + digits(count(1...3), leadingNonZero: false)
    case 7:
      literal = b("1") + pick([b("e400"), b("E-400"), b("e99999999999999999999"), b("e-0")])
    case 8: literal = digits(count(300...400)) + b(".") + digits(3, leadingNonZero: false)
    default: literal = b("0.") + digits(count(300...400), leadingNonZero: false) + b("1e-10")
    }
    return sign + literal
  }

  /// A string literal with quotes: raw and escaped text of every kind, or a broken one.
  private mutating func string(valid: Bool) -> [UInt8] {
    var bytes = b("\"")
    for _ in 0..<count(0...6) { bytes += stringPiece() }
    if !valid {
      let broken: [[UInt8]] = [
        b("\\x"), b("\\a"), b("\\'"), b("\\U0041"), b("\\u12"), b("\\u12G4"), b("\\uD800"),
        b("\\uDC00"), b("\\uD800\\u0041"), b("\\uDBFF\\uDBFF"), b("\\uD800\\uZZZZ"),
        b("\\uD800\\"), b("\\uD800\\u"), [0x01], [0x1F], b("\n"), b("\t"), [0xFF], [0xC0, 0x80],
        [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98],
        [0x80], b("\\"),
      ]
      let cut = bytes.count > 1 ? count(1...bytes.count) : 1
      bytes.insert(contentsOf: pick(broken), at: cut)
      if chance(0.2) { return bytes }  // unterminated
    }
    return bytes + b("\"")
  }

  private mutating func stringPiece() -> [UInt8] {
    switch count(0...9) {
    case 0, 1: return b(pick(["a", "key", "Hello, world", " ", "x y z", "0", "{}[],:"]))
    case 2: return b(pick(["é", "日本語", "😀", "\u{2028}", "\u{2029}", "\u{FFFF}", "\u{10FFFF}"]))
    case 3: return [0x7F]
    case 4: return b(pick(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]))
    case 5:
      let unit = pick(["0041", "00e9", "00E9", "20AC", "20ac", "0000", "001f", "FFFF", "2028"])
      return b("\\u" + unit)
    case 6:
      return b(pick(["\\ud83d\\ude00", "\\uD83D\\uDE00", "\\uDBFF\\uDFFF", "\\uD800\\uDC00"]))
    case 7: return chance(0.2) ? b(pick(["\\ud800", "\\udfff", "\\uDC00\\uD800"])) : b("s")
    default: return b(pick(["id", "price", "name", "k"]))
    }
  }

  /// A random value; containers get shallower as `depth` grows.
  private mutating func value(depth: Int) -> [UInt8] {
    let containers = depth < 5 ? 0.45 : 0.0
    let roll = Double.random(in: 0..<1, using: &random)
    if roll < containers / 2 {
      var bytes = b("[") + whitespace()
      for index in 0..<count(0...4) {
        if index > 0 { bytes += whitespace() + b(",") + whitespace() }
        bytes += value(depth: depth + 1)
      }
      return bytes + whitespace() + b("]")
    }
    if roll < containers {
      var bytes = b("{") + whitespace()
      for index in 0..<count(0...5) {
        if index > 0 { bytes += whitespace() + b(",") + whitespace() }
        // A small key pool makes duplicates common; some spell the same key with escapes.
        let key =
          chance(0.6)
          ? b(pick(["\"a\"", "\"b\"", "\"\\u0061\"", "\"id\"", "\"\\u0069d\"", "\"\""]))
          : string(valid: true)
        bytes += key + whitespace() + b(":") + whitespace() + value(depth: depth + 1)
      }
      return bytes + whitespace() + b("}")
    }
    switch count(0...5) {
    case 0: return b(pick(["true", "false", "null"]))
    case 1, 2: return number(valid: true)
    default: return string(valid: true)
    }
  }

  /// `document` with one to three random edits.
  private mutating func mutated(_ document: [UInt8]) -> [UInt8] {
    var bytes = document
    let interesting: [UInt8] = [
      0x7B, 0x7D, 0x5B, 0x5D, 0x22, 0x3A, 0x2C, 0x5C, 0x30, 0x31, 0x2D, 0x2E, 0x65, 0x20, 0x0A,
      0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 0x75, 0x6E, 0x74,
    ]
    for _ in 0..<count(1...3) {
      let position = count(0...bytes.count)
      switch count(0...5) {
      case 0 where !bytes.isEmpty: bytes.remove(at: min(position, bytes.count - 1))
      case 1: bytes.insert(pick(interesting), at: position)
      case 2 where !bytes.isEmpty: bytes[min(position, bytes.count - 1)] = pick(interesting)
      case 3: bytes.removeSubrange(position...)
      case 4: bytes += pick([b(" x"), b(","), b("]"), b("}"), b("{}"), b(" 1"), [0xE2, 0x82]])
      default:
        if position < bytes.count {
          let end = min(bytes.count, position + count(1...8))
          bytes.insert(contentsOf: bytes[position..<end], at: position)
        }
      }
    }
    return bytes
  }

  /// `depth` levels of arrays, objects or both, around a small value.
  private mutating func nested(_ depth: Int) -> [UInt8] {
    var open: [UInt8] = []
    var close: [UInt8] = []
    let style = count(0...2)
    for level in 0..<depth {
      let asObject = style == 1 || (style == 2 && level % 2 == 0)
      if asObject {
        open += b(chance(0.5) ? "{\"k\":" : "{\"\\u006b\": ")
        close.insert(UInt8(ascii: "}"), at: 0)
      } else {
        open += b(chance(0.3) ? "[1, " : "[")
        close.insert(UInt8(ascii: "]"), at: 0)
      }
    }
    return open + b(pick(["0", "\"x\"", "[]", "{}", "null"])) + close
  }

  /// Hand-picked cases: BOM, odd whitespace, trailing bytes, empty input.
  private func special() -> [[UInt8]] {
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    return [
      [], b(" "), b("\n\t\r "), bom, bom + b("{}"), bom + b("1"), b("[1]") + bom, [0xEF, 0xBB],
      b("{}") + [0xEF, 0xBB], b("[1]") + [0xE2], b("[1]") + [0xE2, 0x82],
      b("[1]") + [0xF0, 0x9F, 0x98],
      b("[1]") + [0xED], b("[1]") + [0xED, 0xA0], b("[1]") + [0xED, 0x9F], b("[1]") + [0xF4, 0x90],
      b("[1]") + [0xC0], b("[1]") + [0xFF], b("\"é") + [0xC3], b("{\"a\":\"x") + [0xE2, 0x82],
      [0xE2], [0xE2, 0x82, 0xAC], b("\"\u{20AC}\""), b("[1] "), b("[1]\u{0C}"), b("[1]\u{00A0}"),
      b("[1]\0"), b("1 2"), b("{} {}"), b("\"a\" \"b\""), b("[] x"), b("null null"), b("true1"),
      b("{\"a\":1}\n"), b("\u{FEFF}[]"), b("[\"\u{FEFF}\"]"), b("{\"a\" :1 , \"a\" : 2 }"),
    ]
  }
}
