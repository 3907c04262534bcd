import EventHTTP
import JSON
import StorefrontCore

/// `/orders/...`: placing, listing and updating orders.
enum OrderRoutes {
  static func register(into router: inout Router<APIRoute>) {
    router.add(
      .GET, "/orders/",
      APIRoute("Order List Create", .authenticated) { call in
        let orders = await call.app.shop.orders.orders(visibleTo: call.caller)
        var writer = JSONWriter(capacity: 256 * max(1, orders.count))
        writer.beginArray()
        for order in orders { writer.write(value: order.json) }
        writer.endArray()
        return JSONResponse.encoded(200, writer.bytes)
      })
    router.add(
      .POST, "/orders/",
      APIRoute("Order List Create", .authenticated) { call in
        let order = try await call.app.shop.orders.placeOrder(try call.body(), by: call.caller)
        return JSONResponse.make(201, order.json)
      })
    router.add(
      .PATCH, "/orders/<id>/update-status/",
      APIRoute("Order Status Update", .admin) { call in
        // Django's <int:pk> converter: a non-numeric id does not match the URL at all.
        guard let id = Int(call.parameters[0]), id >= 0, call.parameters[0].allSatisfy(\.isASCII)
        else { throw APIError.notFound }
        let order = try await call.app.shop.orders.updateStatus(
          orderId: id, try call.body(), by: call.caller)
        return JSONResponse.make(200, order.statusJSON)
      })
  }
}
