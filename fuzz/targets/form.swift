// libFuzzer entry: FormURLEncoded.parse and decode (with Sources/Storefront/HTTP/FormURLEncoded.swift;
// the JSON module is built first).
//
// Invariants: parse is total (it throws only for too many fields, exactly when parse_qsl would
// count more than the limit), gives an object of strings with unique keys, and agrees with the
// simple reference below (Django's QueryDict.dict(): last value wins, first position kept).

import JSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let body = Array(UnsafeBufferPointer(start: data, count: size))
  // A small limit so the fuzzer reaches both sides of it.
  let limit = 64
  let fields = body.isEmpty ? 0 : 1 + body.count(where: { $0 == UInt8(ascii: "&") })
  let value: JSONValue
  do {
    value = try FormURLEncoded.parse(body, maximumFields: limit)
  } catch {
    check(error.limit == limit && fields > limit, "refused \(fields) fields")
    return 0
  }
  check(fields <= limit, "accepted \(fields) fields")
  guard case .object(let object) = value else { fatalError("not an object") }
  check(Set(object.members.map(\.key)).count == object.members.count, "repeated key")
  var reference = JSONObject()
  for pair in body.split(separator: UInt8(ascii: "&")) {
    let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
    let key = FormURLEncoded.decode(pair[..<equals])
    let rest = equals < pair.endIndex ? pair[(equals + 1)...] : []
    reference[key] = .string(FormURLEncoded.decode(rest))
  }
  check(object == reference, "differs from the reference reading")
  for member in object.members {
    guard case .string = member.value else { fatalError("a value is not a string") }
  }
  // decode on its own: total, and percent-encoding every byte decodes back.
  let decoded = FormURLEncoded.decode(body[...])
  if let text = String(validating: body, as: UTF8.self), !body.contains(UInt8(ascii: "%")),
    !body.contains(UInt8(ascii: "+"))
  {
    check(decoded == text, "plain text changed by decode")
  }
  var encoded: [UInt8] = []
  let hex = Array("0123456789ABCDEF".utf8)
  for byte in body { encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
  check(
    FormURLEncoded.decode(encoded[...]) == String(decoding: body, as: UTF8.self),
    "percent-encoded bytes do not decode back")
  return 0
}
