import JSON
import Testing

@testable import StorefrontCore

@Suite struct CatalogServiceTests {
  @Test func onlyStaffWrites() async throws {
    let shop = makeShop()
    let user = try await shop.auth.register(registerBody("customer"))
    #expect(
      await shopError {
        try await shop.catalog.createCategory(.object(["name": .string("X")]), by: user)
      } == .forbidden)
    #expect(
      await shopError { try await shop.catalog.createProduct(.object([:]), by: user) } == .forbidden
    )
    #expect(ShopError.forbidden.httpStatus == 403)
  }

  @Test func categories() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let skincare = try await shop.catalog.createCategory(
      .object(["name": .string("Skincare")]), by: admin)
    #expect(skincare.json == .object(["id": .int(1), "name": .string("Skincare")]))
    let duplicate = await shopError {
      try await shop.catalog.createCategory(.object(["name": .string("Skincare")]), by: admin)
    }
    #expect(duplicate?.body == fieldError("name", "category with this name already exists."))
    _ = try await shop.catalog.createCategory(.object(["name": .string("skincare")]), by: admin)
    let long = await shopError {
      try await shop.catalog.createCategory(
        .object(["name": .string(String(repeating: "x", count: 101))]), by: admin)
    }
    #expect(long?.body == fieldError("name", "Ensure this field has no more than 100 characters."))
    #expect(
      await shopError { try await shop.catalog.createCategory(.object([:]), by: admin) }?.body
        == fieldError("name", "This field is required."))
    #expect(await shop.catalog.categories().map(\.name) == ["Skincare", "skincare"])
    #expect(
      String(decoding: shop.catalog.snapshot.categoriesJSON, as: UTF8.self)
        == #"[{"id":1,"name":"Skincare"},{"id":2,"name":"skincare"}]"#)
  }

  @Test func productShapeAndPreEncodedList() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    #expect(String(decoding: shop.catalog.snapshot.productsJSON, as: UTF8.self) == "[]")
    let category = try await shop.catalog.createCategory(
      .object(["name": .string("Skincare")]), by: admin)
    let body: JSONValue = .object([
      "name": .string("Sunscreen"), "description": .string("SPF 30 \"sun\"screen"),
      "price": .number("550"),
      "category": .int(category.id),
      "variants": .array([
        .object(["size": .string("100ml"), "color": .string("White"), "stock": .int(50)]),
        .object(["size": .string("200ml"), "color": .string("Yellow"), "stock": .string("30")]),
      ]),
    ])
    let product = try await shop.catalog.createProduct(body, by: admin)
    #expect(
      product.json
        == .object([
          "id": .int(1), "name": .string("Sunscreen"),
          "description": .string("SPF 30 \"sun\"screen"),
          "price": .number("550"), "category": .int(1),
          "variants": .array([
            .object([
              "id": .int(1), "size": .string("100ml"), "color": .string("White"), "stock": .int(50),
            ]),
            .object([
              "id": .int(2), "size": .string("200ml"), "color": .string("Yellow"),
              "stock": .int(30),
            ]),
          ]),
        ]))
    let plain = try await shop.catalog.createProduct(
      .object(["name": .string("Gift card"), "price": .string("19.90"), "category": .string("1")]),
      by: admin)
    #expect(plain.description == "" && plain.variants.isEmpty && plain.price.description == "19.9")
    #expect(
      String(decoding: shop.catalog.snapshot.productsJSON, as: UTF8.self)
        == #"[{"id":1,"name":"Sunscreen","description":"SPF 30 \"sun\"screen","price":550,"category":1,"variants":[{"id":1,"size":"100ml","color":"White","stock":50},{"id":2,"size":"200ml","color":"Yellow","stock":30}]},"#
        + #"{"id":2,"name":"Gift card","description":"","price":19.9,"category":1,"variants":[]}]"#)
    #expect(await shop.catalog.products().map(\.id) == [1, 2])
    // Variant ids continue across products.
    let third = try await makeProduct(shop, admin: admin, name: "Lotion", stocks: [1, 2])
    #expect(third.variants.map(\.id) == [3, 4])
  }

  @Test func productErrors() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let empty = await shopError { try await shop.catalog.createProduct(.object([:]), by: admin) }
    #expect(
      empty?.body
        == .object([
          "name": .array([.string("This field is required.")]),
          "price": .array([.string("This field is required.")]),
          "category": .array([.string("This field is required.")]),
        ]))
    let bad = await shopError {
      try await shop.catalog.createProduct(
        .object([
          "name": .string(String(repeating: "n", count: 201)), "description": .null,
          "price": .number("1.234"),
          "category": .int(99), "variants": .object([:]),
        ]), by: admin)
    }
    #expect(
      bad?.body
        == .object([
          "name": .array([.string("Ensure this field has no more than 200 characters.")]),
          "description": .array([.string("This field may not be null.")]),
          "price": .array([.string("Ensure that there are no more than 2 decimal places.")]),
          "category": .array([.string("Invalid pk \"99\" - object does not exist.")]),
          "variants": .object([
            "non_field_errors": .array([.string("Expected a list of items but got type \"dict\".")])
          ]),
        ]))
    let category = try await shop.catalog.createCategory(.object(["name": .string("C")]), by: admin)
    let variants = await shopError {
      try await shop.catalog.createProduct(
        .object([
          "name": .string("P"), "price": .string("abc"), "category": .string("x"),
          "variants": .array([
            .object(["size": .string("S"), "stock": .int(1)]),
            .object(["size": .string(String(repeating: "s", count: 51)), "stock": .number("-1")]),
            .string("oops"),
            .object(["stock": .number("2.5")]),
          ]),
        ]), by: admin)
    }
    #expect(
      variants?.body
        == .object([
          "price": .array([.string("A valid number is required.")]),
          "category": .array([.string("Incorrect type. Expected pk value, received str.")]),
          "variants": .object([
            "1": .object([
              "size": .array([.string("Ensure this field has no more than 50 characters.")]),
              "stock": .array([.string("Ensure this value is greater than or equal to 0.")]),
            ]),
            "2": .object([
              "non_field_errors": .array([
                .string("Invalid data. Expected a dictionary, but got str.")
              ])
            ]),
            "3": .object(["stock": .array([.string("A valid integer is required.")])]),
          ]),
        ]))
    let negative = await shopError {
      try await shop.catalog.createProduct(
        .object(["name": .string("P"), "price": .number("-5"), "category": .int(category.id)]),
        by: admin)
    }
    #expect(
      negative?.body == fieldError("price", "Ensure this value is greater than or equal to 0."))
    #expect(await shop.catalog.products().isEmpty)
  }

  @Test func concurrentCategoriesWithOneNameCreateOne() async throws {
    let shop = makeShop()
    let admin = try await makeAdmin(shop)
    let created = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<10 {
        group.addTask {
          (try? await shop.catalog.createCategory(.object(["name": .string("Same")]), by: admin))
            != nil
        }
      }
      return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(created == 1)
  }
}
