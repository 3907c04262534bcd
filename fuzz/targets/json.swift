// libFuzzer entry: JSONParser.parse (compiled together with Sources/JSON).
//
// Invariants beyond "no crash": an accepted document re-encodes (JSONWriter) to text that
// parses back to the same value, the re-encoding is a fixed point, `parseValue` agrees with
// `parse`, and errors point inside the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  let value: JSONValue
  do {
    value = try JSONParser.parse(bytes)
  } catch {
    check(error.byteOffset >= 0 && error.byteOffset <= size, "error outside the input")
    check(error.line >= 1 && error.column >= 1, "bad error position")
    _ = error.description
    return 0
  }
  let encoded = value.encoded()
  guard let reparsed = try? JSONParser.parse(encoded) else {
    fatalError("re-encoded document does not parse: \(String(decoding: encoded, as: UTF8.self))")
  }
  check(reparsed == value, "re-encoded document parses to a different value")
  check(reparsed.encoded() == encoded, "encoding is not a fixed point")
  var offset = 0
  guard let single = try? JSONParser.parseValue(in: bytes, at: &offset) else {
    fatalError("parseValue rejects what parse accepts")
  }
  check(single == value, "parseValue and parse disagree")
  check(offset <= size, "parseValue moved past the end")
  return 0
}
