import Foundation
import HTTPTestSupport

/// JSON requests against the API mounted under `/api` on a host, over one loopback connection.
struct ShopClient {
  let connection: TestConnection

  init(port: Int) throws { connection = try TestConnection(port: port) }

  /// Sends `method path` with an optional JSON body and token; returns status and parsed JSON.
  func call(
    _ method: String, _ path: String, json: Any? = nil, token: String? = nil
  ) throws -> (status: Int, body: Any?) {
    var headers: [(String, String)] = []
    var body: [UInt8]?
    if let json {
      headers.append(("Content-Type", "application/json"))
      body = Array(try JSONSerialization.data(withJSONObject: json))
    }
    if let token { headers.append(("Authorization", "Token \(token)")) }
    let response = try connection.request(method, path, headers: headers, body: body)
    let parsed =
      response.body.isEmpty
      ? nil
      : try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    return (response.status, parsed)
  }

  /// Logs in and returns the token.
  func login(_ username: String, _ password: String) throws -> String {
    let (status, body) = try call(
      "POST", "/api/users/login/", json: ["username": username, "password": password])
    guard status == 200, let token = (body as? [String: Any])?["token"] as? String else {
      throw TestError("login of \(username) answered \(status): \(String(describing: body))")
    }
    return token
  }
}
