import EventHTTP
import JSON
import StorefrontCore

/// A failure answered before or around the domain: routing, body parsing, authentication
/// headers. Each one is a complete DRF-style reply.
struct APIError: Error {
  let response: HTTPResponse

  static let notFound = APIError(response: JSONResponse.detail(404, "Not found."))
  static let bodyTooLarge = APIError(response: JSONResponse.detail(413, "Request body too large."))

  static func methodNotAllowed(_ method: HTTPMethod, allowed: String) -> APIError {
    APIError(
      response: JSONResponse.detail(
        405, "Method \"\(method.rawValue)\" not allowed.", headers: ["Allow": allowed]))
  }

  static func unsupportedMediaType(_ contentType: String) -> APIError {
    APIError(
      response: JSONResponse.detail(415, "Unsupported media type \"\(contentType)\" in request."))
  }

  static func parse(_ reason: String) -> APIError {
    APIError(response: JSONResponse.detail(400, "JSON parse error - \(reason)"))
  }

  /// A 401 with `WWW-Authenticate: Token`, as DRF's TokenAuthentication answers.
  static func unauthorized(_ detail: String) -> APIError {
    APIError(
      response: JSONResponse.detail(401, detail, headers: ["WWW-Authenticate": "Token"]))
  }

  /// The reply for a domain error (with `WWW-Authenticate` on a 401, `Retry-After` when the
  /// error names one).
  static func from(_ error: ShopError) -> APIError {
    var headers: HTTPHeaders = error.wantsAuthenticateHeader ? ["WWW-Authenticate": "Token"] : [:]
    if let seconds = error.retryAfterSeconds { headers.add("Retry-After", String(seconds)) }
    return APIError(response: JSONResponse.make(error.httpStatus, error.body, headers: headers))
  }
}
