import HTTPTestSupport
import JSON
import StorefrontCore
import Testing

/// The plain product list kept in blocks of 256 encoded products (a change re-renders one
/// block; the reply sends the blocks by reference): over HTTP, the body stays byte for byte
/// the products' own encodings in id order across block boundaries, changes and a restart.
@Suite("API: the product list in blocks")
struct APICatalogBlocksTests {
  /// Product `n`'s body: names and descriptions with non-ASCII letters every few products.
  static func productBody(_ n: Int) -> String {
    let name = n % 5 == 0 ? "Crème N°\(n)" : "Product \(n)"
    let description = n % 7 == 0 ? "ÉTÉ collection, \(n)" : "plain cotton \(n)"
    return #"""
      {"name": "\#(name)", "description": "\#(description)", "price": "\#(n).50", "category": 1,
       "variants": [{"size": "M", "stock": \#(n % 3)}]}
      """#
  }

  /// Checks that `GET /products/` is `[` + each product's detail body joined by `,` + `]`,
  /// that its ids are `ids`, and that a page across the block boundary agrees. `details`
  /// caches the detail bodies (remove a changed product's).
  static func expectList(
    _ client: APIClient, details: inout [Int: [UInt8]], ids: [Int],
    sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    let plain = try await client.get("/products/")
    #expect(plain.status == 200, sourceLocation: sourceLocation)
    #expect(
      plain.headers["content-length"] == String(plain.body.count), sourceLocation: sourceLocation)
    var expected = Array("[".utf8)
    for (index, id) in ids.enumerated() {
      if details[id] == nil {
        let detail = try await client.get("/products/\(id)/")
        #expect(detail.status == 200, "product \(id)", sourceLocation: sourceLocation)
        details[id] = detail.body
      }
      if index > 0 { expected.append(UInt8(ascii: ",")) }
      expected.append(contentsOf: details[id] ?? [])
    }
    expected.append(UInt8(ascii: "]"))
    #expect(plain.body == expected, "\(ids.count) products", sourceLocation: sourceLocation)
    let listed = plain.json.jsonArray?.compactMap { $0["id"]?.intValue }
    #expect(listed == ids, sourceLocation: sourceLocation)
    let head = try await client.request("HEAD", "/products/")
    #expect(
      head.headers["content-length"] == String(plain.body.count), sourceLocation: sourceLocation)
    #expect(head.body.isEmpty, sourceLocation: sourceLocation)
    // A page straddling the first block's end, assembled from the blocks' encodings.
    let page = try await client.get("/products/?limit=4&offset=253")
    let results = page.json["results"]?.jsonArray ?? []
    #expect(page.json["count"]?.intValue == ids.count, sourceLocation: sourceLocation)
    #expect(
      results.compactMap { $0["id"]?.intValue } == Array(ids.dropFirst(253).prefix(4)),
      sourceLocation: sourceLocation)
  }

  @Test("255, 256, 257 products; deleting the last of a block and a block's only product")
  func blockBoundaries() async throws {
    try await withAPIServer { server in
      let client = server.client
      let admin = try await server.admin()
      _ = try await client.category("Clothes", admin: admin)
      var details: [Int: [UInt8]] = [:]
      for n in 1...255 { _ = try await client.product(Self.productBody(n), admin: admin) }
      try await Self.expectList(client, details: &details, ids: Array(1...255))
      _ = try await client.product(Self.productBody(256), admin: admin)
      try await Self.expectList(client, details: &details, ids: Array(1...256))
      _ = try await client.product(Self.productBody(257), admin: admin)
      try await Self.expectList(client, details: &details, ids: Array(1...257))

      // The last product of the first block, then the second block's only one.
      #expect(try await client.delete("/products/256/", token: admin.token).status == 204)
      try await Self.expectList(client, details: &details, ids: Array(1...255) + [257])
      #expect(try await client.delete("/products/257/", token: admin.token).status == 204)
      try await Self.expectList(client, details: &details, ids: Array(1...255))
      // The first product of the list, a product changed in place, a new product after
      // deleted ids.
      #expect(try await client.delete("/products/1/", token: admin.token).status == 204)
      let patched = try await client.patch(
        "/products/128/", #"{"name": "Renamed", "price": "1.00"}"#, token: admin.token)
      #expect(patched.status == 200, "\(patched)")
      details[128] = nil
      _ = try await client.product(Self.productBody(258), admin: admin)
      let ids = Array(2...255) + [258]
      try await Self.expectList(client, details: &details, ids: ids)
      let renamed = try await client.get("/products/?search=renamed")
      #expect(renamed.json.jsonArray?.compactMap { $0["id"]?.intValue } == [128])

      // Replayed from the log, the blocks are built afresh: the same bytes.
      let before = try await client.get("/products/").body
      let restarted = try await server.restart()
      do {
        #expect(try await restarted.client.get("/products/").body == before)
        var fresh: [Int: [UInt8]] = [:]
        try await Self.expectList(restarted.client, details: &fresh, ids: ids)
        try await restarted.stop()
      } catch {
        try? await restarted.stop()
        throw error
      }
    }
  }

  @Test("search folds case as before, non-ASCII included, across blocks; filters and ordering")
  func searchAcrossBlocks() async throws {
    try await withAPIServer { server in
      let client = server.client
      let admin = try await server.admin()
      _ = try await client.category("Clothes", admin: admin)
      for n in 1...300 { _ = try await client.product(Self.productBody(n), admin: admin) }
      func ids(_ query: String) async throws -> [Int] {
        let response = try await client.get("/products/?\(query)")
        #expect(response.status == 200, "\(query): \(response)")
        return response.json.jsonArray?.compactMap { $0["id"]?.intValue } ?? []
      }
      let crème = (1...300).filter { $0 % 5 == 0 }
      let été = (1...300).filter { $0 % 7 == 0 }
      #expect(try await ids("search=CR%C3%88ME") == crème)
      #expect(try await ids("search=cr%C3%A8me") == crème)
      #expect(try await ids("search=creme") == [])
      #expect(try await ids("search=%C3%A9t%C3%A9") == été)
      #expect(try await ids("search=%C3%89T%C3%89") == été)
      #expect(try await ids("search=n%C2%B0") == crème)
      // Terms AND, name OR description; a term cannot span the name and the description.
      #expect(try await ids("search=cr%C3%A8me+%C3%A9t%C3%A9") == crème.filter { $0 % 7 == 0 })
      #expect(
        try await ids("search=cotton+product") == (1...300).filter { $0 % 7 != 0 && $0 % 5 != 0 })
      #expect(try await ids("search=\(5)plain") == [])
      // One- and two-byte terms, and a term found in the last product only.
      #expect(try await ids("search=9") == (1...300).filter { String($0).contains("9") })
      #expect(try await ids("search=99") == (1...300).filter { String($0).contains("99") })
      #expect(try await ids("search=cotton%20300") == [300])
      #expect(try await ids("search=product%20300") == [])
      #expect(try await ids("search=cotton%20299") == [299])
      // With filters, ordering and a page.
      #expect(
        try await ids("search=cotton&in_stock=false&ordering=-price")
          == (1...300).filter { $0 % 3 == 0 && $0 % 7 != 0 }.reversed())
      let page = try await client.get("/products/?search=cr%C3%A8me&ordering=-id&limit=3&offset=1")
      #expect(page.json["count"]?.intValue == crème.count)
      #expect(
        page.json["results"]?.jsonArray?.compactMap { $0["id"]?.intValue }
          == Array(crème.reversed().dropFirst().prefix(3)))
    }
  }
}
