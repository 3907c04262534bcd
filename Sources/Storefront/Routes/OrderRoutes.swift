import EventHTTP
import JSON
import StorefrontCore

/// `/orders/...`: placing (safe to retry with `Idempotency-Key`), listing (filtered, ordered,
/// paginated), detail and status updates.
enum OrderRoutes {
  static func register(into router: inout RouteTable) {
    router.add(
      .GET, "/orders/",
      APIRoute("Order List Create", .authenticated, immediateCall: cachedList) { call in
        let orders = call.app.shop.orders
        if call.request.query.isEmpty {
          return JSONResponse.encoded(200, await orders.encodedOrderList(visibleTo: call.caller))
        }
        let parameters = try ListResponse.parameters(call)
        let query = try OrderQuery(parameter: { parameters[$0] })
        let page = ListResponse.pagination(parameters, call)
        let (count, body) = await orders.encodedOrderList(
          visibleTo: call.caller, query: query, window: page?.window ?? .all)
        guard let page else { return JSONResponse.encoded(200, body) }
        return try ListResponse.envelope(count: count, results: body, page: page, call)
      })
    router.add(
      .POST, "/orders/",
      APIRoute("Order List Create", .authenticated) { call in
        let key = try IdempotencyKeyHeader.parse(call.request.headers)
        let placement = try await call.app.shop.orders.placeOrder(
          try call.body(), by: call.caller, idempotencyKey: key)
        switch placement {
        case .placed(let order):
          return JSONResponse.make(201, order.json)
        case .replayed(let status, let body):
          return JSONResponse.make(status, body, headers: ["Idempotent-Replayed": "true"])
        }
      })
    router.add(.GET, "/orders/<int:id>/", "Order Detail", .authenticated) { call in
      guard
        let order = await call.app.shop.orders.order(id: try call.id(0), visibleTo: call.caller)
      else { throw ShopError.orderNotFound }
      return order.json
    }
    router.add(.PATCH, "/orders/<int:id>/update-status/", "Order Status Update", .admin) { call in
      // An unknown order is a 404 before the body is parsed (as DRF's get_object()).
      try await call.app.shop.orders.updateStatus(
        orderId: try call.id(0), try call.body(), by: call.caller
      ).statusJSON
    }
  }

  /// A customer's unfiltered list when its body is cached (see ``OrderListBodies``).
  private static func cachedList(_ call: RouteCall) -> HTTPResponse? {
    guard call.request.query.isEmpty, !call.caller.isStaff,
      let body = call.app.shop.orders.listBodies.body(ofUser: call.caller.id)
    else { return nil }
    return JSONResponse.encoded(200, body)
  }
}
