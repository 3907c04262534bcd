/// Strict UTF-8 checks with the same verdicts (and wording) as Python's `utf-8` codec.
enum UTF8Validation {
  /// The problem with the sequence starting at `index`: `nil` when it is a valid scalar.
  /// On success `length` is the sequence length.
  @inline(__always)
  static func sequenceLength(
    _ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int
  ) -> (length: Int, problem: JSONParseError.Kind?) {
    let lead = base[index]
    if lead < 0x80 { return (1, nil) }
    let needed: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: needed = 1
    case 0xE0:
      needed = 2
      low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: needed = 2
    case 0xED:
      needed = 2
      high = 0x9F
    case 0xF0:
      needed = 3
      low = 0x90
    case 0xF1...0xF3: needed = 3
    case 0xF4:
      needed = 3
      high = 0x8F
    default:
      return (1, .invalidUTF8(byte: lead, length: 1, reason: "invalid start byte"))
    }
    var offset = 1
    while offset <= needed {
      if index + offset >= count {
        return (
          offset, .invalidUTF8(byte: lead, length: offset, reason: "unexpected end of data")
        )
      }
      let byte = base[index + offset]
      let valid = offset == 1 ? (byte >= low && byte <= high) : (byte & 0xC0 == 0x80)
      if !valid {
        return (
          offset, .invalidUTF8(byte: lead, length: offset, reason: "invalid continuation byte")
        )
      }
      offset += 1
    }
    return (needed + 1, nil)
  }

  /// How many bytes at the end of `bytes` are the start of a sequence that the data ends
  /// before finishing, which Python's incremental decoder keeps back instead of refusing
  /// (including, as CPython does, `ED A0`-`ED BF`: the start of a surrogate); 0 when none.
  static func incompleteTailLength(of bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
    let count = bytes.count
    var start = count - 1
    while start >= 0, start > count - 4, base[start] & 0xC0 == 0x80 { start -= 1 }
    guard start >= 0, base[start] >= 0xC0 else { return 0 }
    let (_, problem) = sequenceLength(base, start, count)
    if case .invalidUTF8(_, _, "unexpected end of data") = problem { return count - start }
    if base[start] == 0xED, count - start == 2, base[start + 1] >= 0xA0 { return 2 }
    return 0
  }

  /// The first invalid sequence in `bytes` as (offset, kind), or `nil` if all of it is UTF-8.
  static func firstProblem(in bytes: UnsafeRawBufferPointer) -> (Int, JSONParseError.Kind)? {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
    let count = bytes.count
    var index = 0
    while index < count {
      if base[index] < 0x80 {
        index += 1
        continue
      }
      let (length, problem) = sequenceLength(base, index, count)
      if let problem { return (index, problem) }
      index += length
    }
    return nil
  }
}
