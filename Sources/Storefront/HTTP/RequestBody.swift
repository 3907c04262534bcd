import EventHTTP
import JSON

/// Reads a request body into a `JSONValue` the way DRF's parsers do.
///
/// An empty body is an empty object (so missing fields get "This field is required.").
/// `application/json` is parsed strictly; `application/x-www-form-urlencoded` gives an object
/// of strings (more than 1000 fields is a 400, as Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS`);
/// any other content type is a 415.
enum RequestBody {
  static func parse(_ request: HTTPRequest) throws(APIError) -> JSONValue {
    if request.body.isEmpty { return .object(JSONObject()) }
    let contentType = request.headers["Content-Type"] ?? ""
    // The usual header exactly, without the Unicode trimming and lowercasing below.
    let mediaType =
      HTTPHeaders.equalIgnoringASCIICase(contentType, "application/json")
      ? "application/json"
      : contentType.split(separator: ";", maxSplits: 1).first.map {
        $0.trimmingCharacters(in: .whitespaces).lowercased()
      }
    switch mediaType {
    case "application/json":
      do {
        return try JSONParser.parse(request.body)
      } catch {
        throw .parse(error.description)
      }
    case "application/x-www-form-urlencoded":
      do {
        return try FormURLEncoded.parse(request.body)
      } catch {
        throw APIError(
          response: JSONResponse.detail(400, "The number of fields exceeded \(error.limit)."))
      }
    default:
      throw .unsupportedMediaType(contentType)
    }
  }
}
