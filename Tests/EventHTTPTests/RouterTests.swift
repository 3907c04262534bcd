import EventHTTP
import Testing

@Suite struct RouterTests {
  func makeRouter() -> Router<String> {
    var router = Router<String>()
    router.add(.GET, "/api/products/", "list")
    router.add(.POST, "/api/orders/", "create-order")
    router.add(.GET, "/api/orders/", "list-orders")
    router.add(.PATCH, "/api/orders/<id>/update-status/", "update")
    return router
  }

  @Test func matchesWithAndWithoutTrailingSlash() {
    let router = makeRouter()
    for path in ["/api/products/", "/api/products"] {
      guard case .found(let handler, let parameters) = router.match(.GET, path) else {
        Issue.record("no match for \(path)")
        continue
      }
      #expect(handler == "list")
      #expect(parameters.isEmpty)
    }
  }

  @Test func capturesParameters() {
    guard
      case .found(let handler, let parameters) = makeRouter().match(
        .PATCH, "/api/orders/42/update-status")
    else {
      Issue.record("no match")
      return
    }
    #expect(handler == "update")
    #expect(parameters == ["42"])
  }

  @Test func unknownPathIsNotFound() {
    let router = makeRouter()
    for path in ["/api/product/", "/api/orders/1/", "/api/orders//update-status/", "/"] {
      guard case .notFound = router.match(.GET, path) else {
        Issue.record("\(path) should not match")
        continue
      }
    }
  }

  @Test func wrongMethodGivesAllowInDRFOrder() {
    let router = makeRouter()
    guard case .methodNotAllowed(let allowed, _, _) = router.match(.PUT, "/api/orders/") else {
      Issue.record("expected 405")
      return
    }
    #expect(allowed == "GET, POST, HEAD, OPTIONS")
    guard
      case .methodNotAllowed(let patch, let parameters, let handlers) = router.match(
        .GET, "/api/orders/3/update-status/")
    else {
      Issue.record("expected 405")
      return
    }
    #expect(patch == "PATCH, OPTIONS")
    #expect(parameters == ["3"])
    #expect(handlers == [.PATCH: "update"])
  }

  @Test func headFallsBackToGet() {
    guard case .found(let handler, _) = makeRouter().match(.HEAD, "/api/products/") else {
      Issue.record("HEAD should use the GET handler")
      return
    }
    #expect(handler == "list")
  }
}
