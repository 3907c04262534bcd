// libFuzzer entry: RequestFramer, the guard in front of evhttp (with
// Sources/EventHTTP/Framing/*.swift and HTTPHeaders.swift). The first input byte picks where
// the rest is cut in two (the bytes of one connection, in two reads).
//
// Invariants: total and linear (libFuzzer's timeout); the result does not depend on how the
// bytes were cut; the body budget comes back to zero once every request is released; what
// is handed to evhttp is canonical: fed again, every accepted request passes again, with the
// same bytes.

let limits = RequestFramer.Limits(maxHeaderBytes: 512, maxHeaderFields: 16, maxBodyBytes: 256)

/// As the server sets evhttp's own header limit: room for a placeholder method and a Host.
let canonicalLimits = RequestFramer.Limits(
  maxHeaderBytes: limits.maxHeaderBytes + 1024, maxHeaderFields: limits.maxHeaderFields + 1,
  maxBodyBytes: limits.maxBodyBytes)

func frame(
  _ pieces: [ArraySlice<UInt8>], budget: BodyBudget, limits: RequestFramer.Limits = limits
) -> RequestFramer {
  var framer = RequestFramer(limits: limits, budget: budget)
  for piece in pieces {
    Array(piece).withUnsafeBytes { framer.feed($0) }
  }
  return framer
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPFraming(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
  let cut = bytes.isEmpty ? 0 : Int(data[0]) % (bytes.count + 1)

  let wholeBudget = BodyBudget(capacity: 1024)
  let whole = frame([bytes[...]], budget: wholeBudget)
  let splitBudget = BodyBudget(capacity: 1024)
  let split = frame([bytes[..<cut], bytes[cut...]], budget: splitBudget)
  check(whole.output == split.output, "output depends on the cut at \(cut)")
  check(whole.framed == split.framed, "decisions depend on the cut at \(cut)")
  check(whole.isMidRequest == split.isMidRequest, "state depends on the cut at \(cut)")

  // Everything held comes back: released requests by their replies, the rest at close.
  let held = whole.framed.reduce(whole.reservedByPartialRequest) { $0 + $1.reservedBytes }
  check(held == wholeBudget.inUse, "budget \(wholeBudget.inUse) != held \(held)")
  check(held <= wholeBudget.capacity, "budget exceeded")

  // Canonical output: accepted requests frame again to the same bytes.
  if !whole.framed.isEmpty, whole.framed.allSatisfy({ $0.rejection == nil }) {
    let again = frame(
      [whole.output[...]], budget: BodyBudget(capacity: 1 << 20), limits: canonicalLimits)
    check(again.output == whole.output, "canonical form is not stable")
    check(again.framed.count == whole.framed.count, "request count changed when fed again")
    check(again.framed.allSatisfy { $0.rejection == nil }, "a canonical request was refused")
  }
  return 0
}
