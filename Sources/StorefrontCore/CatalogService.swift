import JSON
import Primitives

/// Categories, products, variants and stock.
///
/// Writes are admin-only and logged before they are acknowledged. Reads that must not pay an
/// actor hop go through `snapshot` (nonisolated, lock-protected, pre-encoded JSON).
///
/// ```swift
/// let body = catalog.snapshot.productsJSON                 // GET /products/
/// let product = try await catalog.createProduct(body, by: caller)   // 201 product.json
/// ```
public actor CatalogService {
  var state: CatalogState
  let sink: any EventSink
  /// The committed catalog and its encoded list bodies, readable from any thread.
  public nonisolated let snapshot: CatalogSnapshot

  var nextCategoryId: Int
  var nextProductId: Int
  var nextVariantId: Int
  /// Category names between their check and their commit.
  var pendingCategoryNames: Set<String> = []
  /// Stock held by orders (and by negative stock adjustments) between their check and their
  /// commit, by variant id.
  var reservedStock: [Int: Int] = [:]
  /// Categories that products being created or moved will be in, with how many, between their
  /// check and their commit (such a category cannot be deleted meanwhile).
  var pendingCategoryUses: [Int: Int] = [:]
  /// Categories being deleted (no product may move into them meanwhile).
  var pendingCategoryDeletes: Set<Int> = []
  /// Products being deleted (no longer orderable or changeable meanwhile).
  var pendingProductDeletes: Set<Int> = []
  /// The one turn of management writes (``updateProduct(id:_:by:)`` and the like), taken in
  /// arrival order (key 0).
  let managementTurn = TurnLock<Int>()

  /// A service over replayed `state`, appending to `sink`.
  public init(state: CatalogState, sink: any EventSink) {
    self.state = state
    self.sink = sink
    self.snapshot = CatalogSnapshot(state: state)
    self.nextCategoryId = state.nextCategoryId
    self.nextProductId = state.nextProductId
    self.nextVariantId = state.nextVariantId
  }

  /// The committed state (for tests and tools).
  public var currentState: CatalogState { state }

  /// Categories by ascending id.
  public func categories() -> [Category] { snapshot.current.categories }

  /// Products by ascending id.
  public func products() -> [Product] { Array(snapshot.current.products) }

  /// The product with `id`, if any.
  public func product(id: Int) -> Product? { state.products[id] }

  // MARK: Writes

  /// `POST /products/categories/create/` (admin): `{name}`, at most 100 characters, unique.
  /// Answer 201 with `category.json`.
  public func createCategory(_ body: JSONValue, by user: User) async throws(ShopError) -> Category {
    guard user.isStaff else { throw .forbidden }
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> Category in
      var reader = FieldReader(try FieldReader.object(body))
      if let name = reader.string("name", maxLength: 100),
        state.categoryIdsByName[name] != nil || pendingCategoryNames.contains(name)
      {
        reader.errors.add("name", "category with this name already exists.")
      }
      try reader.errors.throwIfAny()
      let category = Category(id: nextCategoryId, name: reader.string("name")!)
      nextCategoryId += 1
      pendingCategoryNames.insert(category.name)
      defer { pendingCategoryNames.remove(category.name) }
      let event = ShopEvent.categoryCreated(category)
      do throws(ShopError) {
        try await append(event)
      } catch {
        giveBackIds(category.id, to: &nextCategoryId, committed: state.nextCategoryId)
        throw error
      }
      await commit([event])
      return category
    }
  }

  /// `POST /products/create/` (admin): `{name, description?, price, category, variants?}` with
  /// variants `{size?, color?, stock?}`. Answer 201 with `product.json`.
  public func createProduct(_ body: JSONValue, by user: User) async throws(ShopError) -> Product {
    guard user.isStaff else { throw .forbidden }
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> Product in
      var reader = FieldReader(try FieldReader.object(body))
      let name = reader.string("name", maxLength: 200)
      let description = reader.string(
        "description", required: false, default: "", allowBlank: true)
      let price = reader.money("price")
      var categoryId: Int?
      if let input = reader.primaryKey("category") {
        if categoryExists(input.id) {
          categoryId = input.id
        } else {
          reader.errors.add("category", FieldReader.doesNotExist(input))
        }
      }
      var variants: [Variant] = []
      var variantErrors: [(index: Int, errors: JSONValue)] = []
      if let items = reader.list("variants", required: false, allowEmpty: true, default: []) {
        for (index, item) in items.enumerated() {
          guard case .object(let object) = item else {
            variantErrors.append(
              (
                index,
                ValidationError.nonField(
                  "Invalid data. Expected a dictionary, but got \(pythonTypeName(item))."
                ).body
              ))
            continue
          }
          var variantReader = FieldReader(object)
          if let variant = Self.newVariant(&variantReader) {
            variants.append(variant)
          } else {
            variantErrors.append((index, variantReader.errors.body))
          }
        }
      }
      reader.setIndexed("variants", variantErrors)
      try reader.errors.throwIfAny()

      for index in variants.indices {
        variants[index].id = nextVariantId
        nextVariantId += 1
      }
      let product = Product(
        id: nextProductId, name: name!, description: description!, price: price!,
        categoryId: categoryId!, variants: variants)
      nextProductId += 1
      let event = ShopEvent.productCreated(product)
      holdCategory(product.categoryId)
      defer { releaseCategory(product.categoryId) }
      do throws(ShopError) {
        try await append(event)
      } catch {
        if giveBackIds(product.id, to: &nextProductId, committed: state.nextProductId),
          let first = product.variants.first?.id
        {
          giveBackIds(
            first, count: variants.count, to: &nextVariantId, committed: state.nextVariantId)
        }
        throw error
      }
      await commit([event])
      return product
    }
  }

  func append(_ event: ShopEvent) async throws(ShopError) {
    try await append([event])
  }

  /// Appends one mutation's events together (one batch in the log).
  func append(_ events: [ShopEvent]) async throws(ShopError) {
    do {
      try await sink.append(events)
    } catch {
      throw .sinkFailure(error)
    }
  }

  // MARK: Other writers

  /// Applies events other writers (other nodes) committed, in log order; the catalog lists
  /// show them once re-rendered (not awaited: the log's writer waits for this call). Commands
  /// that validated before are refused by the sink and run again.
  public func applyForeign(_ events: [ShopEvent]) {
    for event in events { state.apply(event) }
    nextCategoryId = max(nextCategoryId, state.nextCategoryId)
    nextProductId = max(nextProductId, state.nextProductId)
    nextVariantId = max(nextVariantId, state.nextVariantId)
    _ = snapshot.publish(events, from: state)
  }

  /// A variant's `{size?, color?, stock?}` as on creation (id 0), or nil with the field errors
  /// in `reader`.
  static func newVariant(_ reader: inout FieldReader) -> Variant? {
    let size = reader.string("size", required: false, default: "", allowBlank: true, maxLength: 50)
    let color = reader.string(
      "color", required: false, default: "", allowBlank: true, maxLength: 50)
    let stock = reader.integer(
      "stock", required: false, default: 0, minValue: 0, maxValue: maxStock)
    guard reader.errors.isEmpty else { return nil }
    return Variant(id: 0, size: size!, color: color!, stock: stock!)
  }

  /// The most units a variant may hold (DRF's `PositiveIntegerField` bound).
  static let maxStock = OrderLineDraft.maxQuantity

  /// Whether products may be put in category `id` (it exists and is not being deleted).
  func categoryExists(_ id: Int) -> Bool {
    state.categories[id] != nil && !pendingCategoryDeletes.contains(id)
  }

  /// The product `id` unless it is unknown, deleted or being deleted.
  func liveProduct(_ id: Int) -> Product? {
    pendingProductDeletes.contains(id) ? nil : state.products[id]
  }

  func holdCategory(_ id: Int) { pendingCategoryUses[id, default: 0] += 1 }

  func releaseCategory(_ id: Int) {
    pendingCategoryUses[id, default: 0] -= 1
    if pendingCategoryUses[id] == 0 { pendingCategoryUses[id] = nil }
  }

  // MARK: Stock, for OrderService

  /// Checks an order's items against the catalog and holds their stock, all or nothing, without
  /// suspending between the check and the hold.
  ///
  /// Item field errors come back as `{"items": {"<index>": {...}}}`; then the first broken rule,
  /// in item order, as `{"items": ["..."]}`.
  func reserve(_ drafts: [OrderLineDraft]) throws(ShopError) -> StockReservation {
    var itemErrors: [(index: Int, errors: JSONValue)] = []
    var resolved: [(product: Product, variant: Variant?, quantity: Int)] = []
    for (index, draft) in drafts.enumerated() {
      var errors = FieldErrors()
      if let objectError = draft.objectError {
        errors.add(ValidationError.nonFieldErrorsKey, objectError)
        itemErrors.append((index, errors.body))
        continue
      }
      var product: Product?
      switch draft.product {
      case .value(let input):
        product = liveProduct(input.id)
        if product == nil { errors.add("product", FieldReader.doesNotExist(input)) }
      case .invalid(let messages): errors.add("product", messages)
      }
      var variant: Variant?
      switch draft.variant {
      case .value(let input?):
        if let found = state.variant(input.id), !pendingProductDeletes.contains(found.productId) {
          variant = found.variant
        } else {
          errors.add("variant", FieldReader.doesNotExist(input))
        }
      case .value(nil): break
      case .invalid(let messages): errors.add("variant", messages)
      }
      var quantity = 0
      switch draft.quantity {
      case .value(let value): quantity = value
      case .invalid(let messages): errors.add("quantity", messages)
      }
      if errors.isEmpty, let product {
        resolved.append((product, variant, quantity))
      } else {
        itemErrors.append((index, errors.body))
      }
    }
    if !itemErrors.isEmpty {
      var errors = FieldErrors()
      errors.set(
        "items",
        .object(JSONObject(itemErrors.map { JSONObject.Member(String($0.index), $0.errors) })))
      try errors.throwIfAny()
    }

    var held: [Int: Int] = [:]
    var lines: [PricedLine] = []
    for (product, variant, quantity) in resolved {
      if let variant {
        guard state.productIdsByVariant[variant.id] == product.id else {
          throw Self.itemsError("Variant \(variant.id) does not belong to product \(product.id).")
        }
        let available =
          variant.stock - reservedStock[variant.id, default: 0] - held[variant.id, default: 0]
        guard quantity <= available else {
          throw Self.itemsError(
            "Insufficient stock for variant \(variant.id): \(max(available, 0)) available.")
        }
        held[variant.id, default: 0] += quantity
      } else if !product.variants.isEmpty {
        throw Self.itemsError("This product has variants; choose one.")
      }
      lines.append(
        PricedLine(
          productId: product.id, variantId: variant?.id, quantity: quantity, price: product.price))
    }
    for (variantId, quantity) in held { reservedStock[variantId, default: 0] += quantity }
    return StockReservation(lines: lines)
  }

  private static func itemsError(_ message: String) -> ShopError {
    .validation(ValidationError(field: "items", message))
  }

  /// Releases a reservation whose order was not written.
  func release(_ reservation: StockReservation) {
    unhold(reservation)
  }

  /// Turns a reservation into committed stock: applies the written `orderPlaced` event.
  /// Returns the snapshot generation that shows it (see `CatalogSnapshot.waitUntilRendered`).
  func commit(_ reservation: StockReservation, event: ShopEvent) -> UInt64 {
    unhold(reservation)
    return applyCommitted(event)
  }

  /// Applies an event another service has written (stock given back by a cancellation);
  /// returns the snapshot generation that shows it.
  func applyCommitted(_ event: ShopEvent) -> UInt64 {
    state.apply(event)
    return snapshot.publish([event], from: state)
  }

  func unhold(_ reservation: StockReservation) {
    for line in reservation.lines {
      guard let variantId = line.variantId else { continue }
      reservedStock[variantId, default: 0] -= line.quantity
      if reservedStock[variantId] == 0 { reservedStock[variantId] = nil }
    }
  }
}
