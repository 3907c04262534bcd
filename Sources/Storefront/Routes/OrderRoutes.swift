import EventHTTP
import JSON
import StorefrontCore

/// `/orders/...`: placing, listing and updating orders.
enum OrderRoutes {
  static func register(into router: inout Router<APIRoute>) {
    router.add(
      .GET, "/orders/",
      APIRoute("Order List Create", .authenticated) { call in
        let body = await call.app.shop.orders.encodedOrderList(visibleTo: call.caller)
        return JSONResponse.encoded(200, body)
      })
    router.add(
      .POST, "/orders/",
      APIRoute("Order List Create", .authenticated) { call in
        let order = try await call.app.shop.orders.placeOrder(try call.body(), by: call.caller)
        return JSONResponse.make(201, order.json)
      })
    router.add(
      .PATCH, "/orders/<int:id>/update-status/",
      APIRoute("Order Status Update", .admin, acceptsParameters: { orderId($0[0]) != nil }) {
        call in
        guard let id = orderId(call.parameters[0]) else { throw APIError.notFound }
        // As DRF's get_object(): an unknown order is a 404 before the body is parsed.
        guard await call.app.shop.orders.order(id: id) != nil else { throw ShopError.orderNotFound }
        let order = try await call.app.shop.orders.updateStatus(
          orderId: id, try call.body(), by: call.caller)
        return JSONResponse.make(200, order.statusJSON)
      })
  }

  /// Django's `<int:pk>` converter (`[0-9]+`): a non-numeric id does not match the URL at all.
  static func orderId(_ segment: Substring) -> Int? {
    guard !segment.isEmpty,
      segment.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { return nil }
    return Int(segment)
  }
}
