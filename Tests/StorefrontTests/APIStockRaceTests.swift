import JSON
import Testing

/// `stock_delta` is atomic with respect to concurrent orders: over HTTP, with every request on
/// its own connection at once.
@Suite("API: stock_delta racing orders")
struct APIStockRaceTests {
  @Test("20 orders racing 5 restocks of one variant: exact final stock, never below 0, kept")
  func restocksRacingOrders() async throws {
    let directory = try APIDataDirectory()
    var server = try await APITestServer.start(directory: directory)
    do {
      let client = server.client
      let admin = try await server.admin()
      let user = try await client.user("buyer")
      _ = try await client.category("Mugs", admin: admin)
      _ = try await client.product(
        #"{"name": "Mug", "price": 5, "category": 1, "variants": [{"size": "S", "stock": 6}, {"size": "L", "stock": 10}]}"#,
        admin: admin)
      let (userToken, adminToken) = (user.token, admin.token)
      // Variant 1: 20 orders of 1 against 6 in stock and 5 restocks of +2 (16 at most).
      // Variant 2: 8 orders of 2 against 10 and 4 decreases of -3 (each may be refused).
      let responses = try await client.concurrently(37) { index in
        switch index {
        case 0..<20:
          APIClient.Call(
            method: "POST", path: "/orders/", token: userToken,
            body: .json(#"{"items": [{"product": 1, "variant": 1, "quantity": 1}]}"#))
        case 20..<25:
          APIClient.Call(
            method: "PATCH", path: "/products/1/variants/1/", token: adminToken,
            body: .json(#"{"stock_delta": 2}"#))
        case 25..<33:
          APIClient.Call(
            method: "POST", path: "/orders/", token: userToken,
            body: .json(#"{"items": [{"product": 1, "variant": 2, "quantity": 2}]}"#))
        default:
          APIClient.Call(
            method: "PATCH", path: "/products/1/variants/2/", token: adminToken,
            body: .json(#"{"stock_delta": -3}"#))
        }
      }
      #expect(responses.count == 37)
      var placed = [0, 0]
      var decreases = 0
      for (index, response) in responses.enumerated() {
        switch index {
        case 0..<20, 25..<33:
          let variant = index < 20 ? 1 : 2
          if response.status == 201 {
            placed[variant - 1] += 1
          } else {
            #expect(response.status == 400, "\(response)")
            let message = response.json["items"]?.jsonArray?.first?.stringValue ?? ""
            #expect(
              message.hasPrefix("Insufficient stock for variant \(variant): "), "\(response)")
          }
        case 20..<25:
          #expect(response.status == 200, "\(response)")
          #expect((response.json["stock"]?.intValue ?? -1) >= 0, "\(response)")
        default:
          if response.status == 200 {
            decreases += 1
            #expect((response.json["stock"]?.intValue ?? -1) >= 0, "\(response)")
          } else {
            #expect(response.status == 400, "\(response)")
            let message = response.json["stock_delta"]?.jsonArray?.first?.stringValue ?? ""
            #expect(message.hasPrefix("Stock cannot go below 0 (now "), "\(response)")
          }
        }
      }
      // Every restock went through, so at least the 6 + 10 units were sold.
      #expect(placed[0] >= 6)
      let first = 6 + 5 * 2 - placed[0]
      let second = 10 - 2 * placed[1] - 3 * decreases
      #expect(first >= 0 && second >= 0)
      #expect(try await client.stock(ofVariant: 1) == first)
      #expect(try await client.stock(ofVariant: 2) == second)
      let orders = try await client.get("/orders/", token: adminToken).json.jsonArray ?? []
      #expect(orders.count == placed[0] + placed[1])

      server = try await server.restart()
      #expect(try await server.client.stock(ofVariant: 1) == first)
      #expect(try await server.client.stock(ofVariant: 2) == second)
      try await server.app.compact()
      server = try await server.restart()
      #expect(try await server.client.stock(ofVariant: 1) == first)
      #expect(try await server.client.stock(ofVariant: 2) == second)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }
}
