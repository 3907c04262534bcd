import EventHTTP
import JSON

/// `/users/...`: register, login, logout, logout-all.
enum AuthRoutes {
  static func register(into router: inout Router<APIRoute>) {
    router.add(
      .POST, "/users/register/",
      APIRoute("Register", .noCredentials, watchesClient: true) { call in
        let user = try await call.app.shop.auth.register(try call.body())
        return JSONResponse.make(201, user.registrationJSON)
      })
    router.add(
      .POST, "/users/login/",
      APIRoute("Login", .noCredentials, watchesClient: true) { call in
        let login = try await call.app.shop.auth.login(try call.body())
        return JSONResponse.make(200, login.json)
      })
    router.add(
      .POST, "/users/logout/",
      APIRoute("Logout", .authenticated) { call in
        try await call.app.shop.auth.logout(token: call.token!)
        return JSONResponse.make(200, .object(["message": .string("Logged out successfully")]))
      })
    router.add(
      .POST, "/users/logout-all/",
      APIRoute("Logout All", .authenticated) { call in
        try await call.app.shop.auth.logoutAll(user: call.caller)
        return JSONResponse.make(200, .object(["message": .string("Logged out of all sessions")]))
      })
  }
}
