import JSON

/// Catalog management (admin): product and category detail changes and deletion, variants and
/// stock. Each write is one logged mutation, acknowledged once the catalog lists show it.
///
/// These writes take turns (``acquireManagementTurn()``): each one's events are applied before
/// the next one checks anything, so memory follows the log's order even for events that do not
/// commute (two renames). Orders do not wait for the turn: their stock deltas commute with
/// everything here, and a product or category on its way out is refused to them meanwhile.
///
/// ```swift
/// let product = try await catalog.updateProduct(id: 7, body, by: admin)   // 200 product.json
/// let variant = try await catalog.updateVariant(
///   productId: 7, variantId: 12, .object(["stock_delta": .int(-3)]), by: admin)
/// ```
extension CatalogService {
  // A write that takes a body reads it (`body`, an autoclosure) only once the object is known to
  // exist, as DRF's `get_object()` runs before the parser: an unknown id is a 404 whatever the
  // body holds. What `body` throws is rethrown as it is; everything else is a `ShopError`.

  // MARK: Products

  /// `PATCH /products/<id>/` (admin): any of `{name, description, price, category}`, each
  /// validated as on creation; other members are ignored. Answer 200 with `product.json`.
  public func updateProduct(
    id: Int, _ body: @autoclosure @Sendable () throws -> JSONValue, by user: User
  ) async throws -> Product {
    guard user.isStaff else { throw ShopError.forbidden }
    return try await inManagementTurn { () async throws -> Product in
      guard let product = liveProduct(id) else { throw ShopError.productNotFound }
      var reader = FieldReader(try FieldReader.object(try body()))
      var changes = ProductChanges()
      changes.name = reader.string("name", required: false, maxLength: 200)
      changes.description = reader.string("description", required: false, allowBlank: true)
      if reader.raw("price") != nil { changes.price = reader.money("price") }
      if reader.raw("category") != nil, let input = reader.primaryKey("category") {
        if categoryExists(input.id) {
          changes.categoryId = input.id
        } else {
          reader.errors.add("category", FieldReader.doesNotExist(input))
        }
      }
      try reader.errors.throwIfAny()
      if changes.isEmpty { return product }
      let event = ShopEvent.productUpdated(productId: id, changes)
      if let categoryId = changes.categoryId { holdCategory(categoryId) }
      defer { if let categoryId = changes.categoryId { releaseCategory(categoryId) } }
      try await record([event])
      return state.products[id] ?? changes.applied(to: product)
    }
  }

  /// `DELETE /products/<id>/` (admin): the product leaves lists, detail and ordering; past
  /// orders keep its id and their prices. Answer 204.
  public func deleteProduct(id: Int, by user: User) async throws(ShopError) {
    guard user.isStaff else { throw .forbidden }
    try await inManagementTurn { () async throws(ShopError) in
      guard liveProduct(id) != nil else { throw .productNotFound }
      pendingProductDeletes.insert(id)
      defer { pendingProductDeletes.remove(id) }
      let event = ShopEvent.productDeleted(productId: id)
      try await record([event])
    }
  }

  // MARK: Variants and stock

  /// `POST /products/<id>/variants/` (admin): `{size?, color?, stock?}` as on creation.
  /// Answer 201 with `variant.json`.
  public func addVariant(
    productId: Int, _ body: @autoclosure @Sendable () throws -> JSONValue, by user: User
  ) async throws -> Variant {
    guard user.isStaff else { throw ShopError.forbidden }
    return try await inManagementTurn { () async throws -> Variant in
      guard liveProduct(productId) != nil else { throw ShopError.productNotFound }
      var reader = FieldReader(try FieldReader.object(try body()))
      let parsed = Self.newVariant(&reader)
      try reader.errors.throwIfAny()
      var variant = parsed!
      variant.id = nextVariantId
      nextVariantId += 1
      let event = ShopEvent.variantAdded(productId: productId, variant)
      try await record([event])
      return variant
    }
  }

  /// `PATCH /products/<id>/variants/<vid>/` (admin): any of `{size, color, stock}`, or
  /// `{stock_delta}` (an integer, may be negative).
  ///
  /// Stock is logged as a delta (``ShopEvent/stockAdjusted(_:)``), so it commutes with
  /// concurrent orders. It is judged against the stock not held by orders in flight: `stock`
  /// makes that the new stock, `stock_delta` adds to it and may not take it below 0
  /// (`{"stock_delta": ["Stock cannot go below 0 (now 3)."]}`). Answer 200 with `variant.json`.
  public func updateVariant(
    productId: Int, variantId: Int, _ body: @autoclosure @Sendable () throws -> JSONValue,
    by user: User
  ) async throws -> Variant {
    guard user.isStaff else { throw ShopError.forbidden }
    return try await inManagementTurn { () async throws -> Variant in
      guard let product = liveProduct(productId) else { throw ShopError.productNotFound }
      guard let current = product.variants.first(where: { $0.id == variantId }) else {
        throw ShopError.variantNotFound
      }
      var reader = FieldReader(try FieldReader.object(try body()))
      var changes = VariantChanges()
      changes.size = reader.string("size", required: false, allowBlank: true, maxLength: 50)
      changes.color = reader.string("color", required: false, allowBlank: true, maxLength: 50)
      var stock: Int?
      var delta: Int?
      if reader.raw("stock") != nil {
        stock = reader.integer("stock", minValue: 0, maxValue: Self.maxStock)
      }
      if reader.raw("stock_delta") != nil { delta = reader.integer("stock_delta") }
      try reader.errors.throwIfAny()
      if stock != nil && delta != nil {
        throw ShopError.validation(.nonField("Send either stock or stock_delta, not both."))
      }
      let available = current.stock - reservedStock[variantId, default: 0]
      var change = 0
      if let stock { change = stock - available }
      if let delta {
        let (result, overflow) = available.addingReportingOverflow(delta)
        if overflow ? delta < 0 : result < 0 {
          throw ShopError.validation(
            ValidationError(field: "stock_delta", "Stock cannot go below 0 (now \(available))."))
        }
        let (total, totalOverflow) = current.stock.addingReportingOverflow(delta)
        if totalOverflow || total > Self.maxStock {
          throw ShopError.validation(
            ValidationError(
              field: "stock_delta",
              "Stock cannot go above \(Self.maxStock) (now \(available))."))
        }
        change = delta
      }
      var events: [ShopEvent] = []
      if !changes.isEmpty {
        events.append(.variantUpdated(productId: productId, variantId: variantId, changes))
      }
      if change != 0 {
        events.append(.stockAdjusted(StockDelta(variantId: variantId, delta: change)))
      }
      if events.isEmpty { return current }
      // A decrease is held like an order's stock, so orders meanwhile cannot take it.
      let held = max(-change, 0)
      if held > 0 { reservedStock[variantId, default: 0] += held }
      defer {
        if held > 0 {
          reservedStock[variantId, default: 0] -= held
          if reservedStock[variantId] == 0 { reservedStock[variantId] = nil }
        }
      }
      try await record(events)
      var updated = changes.applied(to: current)
      updated.stock += change
      return state.variant(variantId)?.variant ?? updated
    }
  }

  // MARK: Categories

  /// `PATCH /products/categories/<id>/` (admin): `{name}` (optional), validated as on
  /// creation. Answer 200 with `category.json`.
  public func updateCategory(
    id: Int, _ body: @autoclosure @Sendable () throws -> JSONValue, by user: User
  ) async throws -> Category {
    guard user.isStaff else { throw ShopError.forbidden }
    return try await inManagementTurn { () async throws -> Category in
      guard categoryExists(id), let current = state.categories[id] else {
        throw ShopError.categoryNotFound
      }
      var reader = FieldReader(try FieldReader.object(try body()))
      let name = reader.string("name", required: false, maxLength: 100)
      if let name, name != current.name,
        state.categoryIdsByName[name] != nil || pendingCategoryNames.contains(name)
      {
        reader.errors.add("name", "category with this name already exists.")
      }
      try reader.errors.throwIfAny()
      guard let name, name != current.name else { return current }
      pendingCategoryNames.insert(name)
      defer { pendingCategoryNames.remove(name) }
      let category = Category(id: id, name: name)
      let event = ShopEvent.categoryUpdated(category)
      try await record([event])
      return category
    }
  }

  /// `DELETE /products/categories/<id>/` (admin): refused with 409 `Category 3 still has
  /// products.` while any product is in it. Answer 204.
  public func deleteCategory(id: Int, by user: User) async throws(ShopError) {
    guard user.isStaff else { throw .forbidden }
    try await inManagementTurn { () async throws(ShopError) in
      guard categoryExists(id) else { throw .categoryNotFound }
      if state.productCountsByCategory[id] != nil || pendingCategoryUses[id] != nil {
        throw .conflict(detail: "Category \(id) still has products.")
      }
      pendingCategoryDeletes.insert(id)
      defer { pendingCategoryDeletes.remove(id) }
      let event = ShopEvent.categoryDeleted(categoryId: id)
      try await record([event])
    }
  }

  // MARK: Helpers

  /// Runs `write` in the management turn (``managementTurn``), again within it when another
  /// node wrote first (``rerunningOnConflict(_:isolation:_:)``): the log position a run
  /// validates against is read once the turn is held.
  func inManagementTurn<T, Failure: Error>(
    _ write: () async throws(Failure) -> T
  ) async throws(Failure) -> T {
    await managementTurn.acquire(0)
    defer { managementTurn.release(0) }
    return try await rerunningOnConflict(sink) { () async throws(Failure) -> T in
      try await write()
    }
  }

  /// Logs `events` as one mutation, then ``commit(_:)``s them.
  func record(_ events: [ShopEvent]) async throws(ShopError) {
    try await append(events)
    await commit(events)
  }

  /// Applies written events and returns once the catalog lists show them.
  func commit(_ events: [ShopEvent]) async {
    for event in events { state.apply(event) }
    let generation = snapshot.publish(events, from: state)
    await snapshot.waitUntilRendered(generation)
  }
}
