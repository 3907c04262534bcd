import JSON

/// Every way a domain call can fail, each one mapping to one HTTP status and a DRF-style body.
///
/// ```swift
/// do { let user = try await auth.register(body) }
/// catch { respond(status: error.httpStatus, body: error.body) }
/// ```
public enum ShopError: Error, Sendable, Equatable {
  /// 400: the request's content is wrong; `body` is DRF's error object.
  case validation(ValidationError)
  /// 401: a protected call without credentials.
  case notAuthenticated
  /// 401: an unknown, revoked or expired token.
  case invalidToken
  /// 403: authenticated, but not staff on an admin-only call.
  case forbidden
  /// 404 with the given `detail`, e.g. `No Order matches the given query.`.
  case notFound(detail: String)
  /// 409 with the given `detail`: the request conflicts with the current state (a category
  /// that still has products, an idempotency key whose first request is still running).
  case conflict(detail: String)
  /// 422 with the given `detail`: an idempotency key reused with another body.
  case unprocessable(detail: String)
  /// 503: the event could not be written to the log; nothing changed in memory.
  case unavailable(reason: String)
  /// 503 with `Retry-After: 1`: the password-hashing queue is full (a register or login was
  /// refused before any work; nothing changed).
  case tooManyLogins
  /// 503 with `Retry-After: 1`: other nodes kept writing while this write was validated, more
  /// times than it is re-run (nothing changed).
  case writeConflict
  /// The caller went away (its HTTP client disconnected) before the work was done: nothing
  /// was done and the answer has nobody to go to. 499, as nginx logs such requests.
  case callerGone

  /// The HTTP status code this error maps to.
  public var httpStatus: Int {
    switch self {
    case .validation: 400
    case .notAuthenticated, .invalidToken: 401
    case .forbidden: 403
    case .notFound: 404
    case .conflict: 409
    case .unprocessable: 422
    case .unavailable, .tooManyLogins, .writeConflict: 503
    case .callerGone: 499
    }
  }

  /// The JSON body of the error response, in DRF's words.
  public var body: JSONValue {
    switch self {
    case .validation(let error): error.body
    case .notAuthenticated:
      .object(["detail": .string("Authentication credentials were not provided.")])
    case .invalidToken: .object(["detail": .string("Invalid token.")])
    case .forbidden:
      .object(["detail": .string("You do not have permission to perform this action.")])
    case .notFound(let detail), .conflict(let detail), .unprocessable(let detail):
      .object(["detail": .string(detail)])
    case .unavailable:
      .object(["detail": .string("Service temporarily unavailable: writes are disabled.")])
    case .tooManyLogins:
      .object(["detail": .string("Too many logins in progress; try again shortly.")])
    case .callerGone: .object(["detail": .string("Client closed the request.")])
    case .writeConflict:
      .object(["detail": .string("Too many concurrent writes; try again shortly.")])
    }
  }

  /// The seconds of a `Retry-After` header the response should carry, if any.
  public var retryAfterSeconds: Int? {
    self == .tooManyLogins || self == .writeConflict ? 1 : nil
  }

  /// Whether the response should carry `WWW-Authenticate: Token` (the 401s).
  public var wantsAuthenticateHeader: Bool { httpStatus == 401 }

  /// The 404 of an unknown order id (or another user's order).
  public static let orderNotFound = ShopError.notFound(detail: "No Order matches the given query.")
  /// The 404 of an unknown or deleted product id.
  public static let productNotFound = ShopError.notFound(
    detail: "No Product matches the given query.")
  /// The 404 of an unknown or deleted category id.
  public static let categoryNotFound = ShopError.notFound(
    detail: "No Category matches the given query.")
  /// The 404 of a variant id that is not one of the product's.
  public static let variantNotFound = ShopError.notFound(
    detail: "No Variant matches the given query.")
}
