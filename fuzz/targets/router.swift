// libFuzzer entry: Router.match and Router.split (with Sources/EventHTTP/Router.swift and
// HTTPMethod.swift). The first input byte picks the method, the rest is the path.
//
// Invariants: total; a match fills its pattern back into the path it matched; the answer
// (found, 405 or 404) agrees with a plain segment-by-segment reading of the table; 405's
// Allow header never lists the method asked for.

/// The API's route table (Sources/Storefront/Routes) plus a few extra shapes, the root
/// pattern among them (`//` must not match it).
let patterns: [(HTTPMethod, String)] = [
  (.POST, "/users/register/"), (.POST, "/users/login/"), (.POST, "/users/logout/"),
  (.POST, "/users/logout-all/"), (.GET, "/products/"), (.GET, "/products/categories/"),
  (.POST, "/products/create/"), (.POST, "/products/categories/create/"), (.GET, "/health/"),
  (.GET, "/orders/"), (.POST, "/orders/"), (.PATCH, "/orders/<id>/update-status/"),
  (.DELETE, "/products/<id>/"), (.PUT, "/<a>/<b>/<c>"), (.GET, "/ü/<x>/é/"), (.GET, "/"),
]

let router: Router<Int> = {
  var router = Router<Int>()
  for (index, (method, pattern)) in patterns.enumerated() { router.add(method, pattern, index) }
  return router
}()

/// The segments of `path` between `/` bytes, without one leading and one trailing empty one
/// (cut on bytes: a `/` followed by a combining mark is still a separator).
func segments(_ path: String) -> [Substring] {
  let bytes = Array(path.utf8)
  var parts = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map {
    Substring(decoding: $0, as: UTF8.self)
  }
  if parts.first?.isEmpty == true { parts.removeFirst() }
  if parts.last?.isEmpty == true { parts.removeLast() }
  return parts
}

/// Whether `pattern` matches `path` segment by segment (parameters: any non-empty segment;
/// literals compare as Swift strings, i.e. up to canonical equivalence, like the router's).
func segmentsMatch(_ pattern: String, _ path: String) -> Bool {
  let wanted = segments(pattern)
  let parts = segments(path)
  guard wanted.count == parts.count else { return false }
  for (segment, part) in zip(wanted, parts) {
    if segment.hasPrefix("<") && segment.hasSuffix(">") {
      if part.isEmpty { return false }
    } else if segment != part {
      return false
    }
  }
  return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let method = HTTPMethod.known[Int(data[0]) % HTTPMethod.known.count]
  let path = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
  check(
    Router<Int>.split(path).map { Array($0.utf8) } == segments(path).map { Array($0.utf8) },
    "split disagrees")
  // Django's resolver: the first pattern that matches decides; its view answers the methods
  // registered on the same pattern and 405 for the others.
  let first = patterns.indices.first { segmentsMatch(patterns[$0].1, path) }
  let samePattern = patterns.indices.filter { first != nil && patterns[$0].1 == patterns[first!].1 }
  let answering =
    samePattern.first { patterns[$0].0 == method }
    ?? samePattern.first { method == .HEAD && patterns[$0].0 == .GET }
  switch router.match(method, path) {
  case .found(let index, let parameters):
    check(index == answering, "found \(index), expected \(String(describing: answering))")
    // Filling the parameters back into the pattern gives the path's segments.
    var remaining = parameters[...]
    let filled = segments(patterns[index].1).map { segment -> Substring in
      guard segment.hasPrefix("<") else { return segment }
      guard let parameter = remaining.popFirst() else { fatalError("too few parameters") }
      check(!parameter.isEmpty && !parameter.utf8.contains(UInt8(ascii: "/")), "bad parameter")
      return parameter
    }
    check(remaining.isEmpty, "too many parameters")
    check(filled == segments(path), "\(filled) is not \(path)")
  case .methodNotAllowed(let allowed, let parameters, let handlers):
    check(answering == nil && !handlers.isEmpty, "unexpected 405")
    check(
      handlers.values.allSatisfy { samePattern.contains($0) }, "405 with another path's handlers")
    check(
      parameters.count
        == segments(patterns[handlers.values.first!].1).filter { $0.hasPrefix("<") }.count,
      "405 without its parameters")
    let listed = allowed.split(separator: ",").map { $0.trimmingPrefix(" ") }
    check(listed.contains("OPTIONS"), "Allow without OPTIONS")
    check(
      method == .OPTIONS || !listed.contains(method.rawValue[...]), "Allow lists \(method)")
  case .notFound:
    check(first == nil, "404 for a path that matches \(patterns[first!].1)")
  }
  return 0
}
