import EventHTTP
import JSON

/// `/users/...`: register, login, logout, logout-all.
///
/// Register and login watch their client: a hash still queued when it disconnects is dropped
/// (no user, no token). A full hashing queue answers 503 with `Retry-After: 1`.
enum AuthRoutes {
  static func register(into router: inout RouteTable) {
    router.add(
      .POST, "/users/register/", "Register", .noCredentials, status: 201, watchesClient: true
    ) { call in
      try await call.app.shop.auth.register(try call.body(), isAbandoned: call.isAbandoned)
        .registrationJSON
    }
    router.add(.POST, "/users/login/", "Login", .noCredentials, watchesClient: true) { call in
      try await call.app.shop.auth.login(try call.body(), isAbandoned: call.isAbandoned).json
    }
    router.add(.POST, "/users/logout/", "Logout", .authenticated) { call in
      try await call.app.shop.auth.logout(token: call.token!)
      return .object(["message": .string("Logged out successfully")])
    }
    router.add(.POST, "/users/logout-all/", "Logout All", .authenticated) { call in
      try await call.app.shop.auth.logoutAll(user: call.caller)
      return .object(["message": .string("Logged out of all sessions")])
    }
  }
}

extension RouteCall {
  /// Whether the client went away (always false for routes that do not watch it).
  var isAbandoned: @Sendable () -> Bool {
    let client = client
    return { client?.isGone == true }
  }
}
