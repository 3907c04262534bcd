import Foundation
import HTTPTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Debian's nginx in front of Storefront in a test: a self-signed certificate made here, one of
/// the shipped configurations (config/nginx/) with the test's ports, driven over HTTPS by curl.
struct NginxEdge {
  static let tools = ["nginx", "openssl", "curl"]

  /// One HTTPS exchange through curl.
  struct Reply {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String
  }

  let work: String
  let curl: String
  let httpsPort: Int
  let httpPort: Int

  /// The tools found, a certificate for 127.0.0.1 in `work`, and two free ports.
  static func prepare(work: String) async throws -> (edge: NginxEdge, nginx: String) {
    let nginx = try ExternalTool.require("nginx", package: "nginx")
    let openssl = try ExternalTool.require("openssl", package: "openssl")
    let curl = try ExternalTool.require("curl", package: "curl")
    let certificate = try await ClientThreads.one {
      try ExternalTool.run(
        openssl,
        [
          "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work + "/key.pem", "-out",
          work + "/cert.pem", "-days", "1", "-subj", "/CN=localhost", "-addext",
          "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ], in: work)
    }
    try #require(certificate.status == 0, "\(certificate.standardError)")
    let edge = NginxEdge(
      work: work, curl: curl, httpsPort: try FreePort.pick(), httpPort: try FreePort.pick())
    return (edge, nginx)
  }

  /// config/nginx/`name` with the edge's ports and certificate and `replacements`; every value
  /// replaced must be there (a changed file fails here, not silently), and so must `lines`.
  func shippedConfiguration(
    _ name: String, replacements: [(String, String)], lines: [String]
  ) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var text = try String(
      contentsOfFile: root.appendingPathComponent("config/nginx/" + name).path, encoding: .utf8)
    let edgeReplacements = [
      ("listen 443 ssl;", "listen 127.0.0.1:\(httpsPort) ssl;"),
      ("listen [::]:443 ssl;", ""),
      ("listen 80;", "listen 127.0.0.1:\(httpPort);"),
      ("listen [::]:80;", ""),
      ("/etc/ssl/storefront/fullchain.pem", work + "/cert.pem"),
      ("/etc/ssl/storefront/privkey.pem", work + "/key.pem"),
    ]
    for (from, to) in replacements + edgeReplacements {
      guard text.contains(from) else {
        throw TestError("config/nginx/\(name) no longer contains \(from)")
      }
      text = text.replacingOccurrences(of: from, with: to)
    }
    for line in lines {
      guard text.contains(line) else { throw TestError("expected \(line) in config/nginx/\(name)") }
    }
    return text
  }

  /// Writes `configuration` next to a main nginx.conf that includes it, checks both with
  /// `nginx -t`, starts nginx and waits until it accepts on the HTTPS port.
  func start(_ nginx: String, configuration: String) async throws -> StorefrontChild {
    try configuration.write(toFile: work + "/site.conf", atomically: true, encoding: .utf8)
    var main = """
      daemon off;
      master_process on;
      worker_processes 1;
      pid \(work)/nginx.pid;
      error_log \(work)/error.log warn;
      events { worker_connections 256; }
      http {
        access_log \(work)/access.log;
        client_body_temp_path \(work)/body;
        proxy_temp_path \(work)/proxy;
        fastcgi_temp_path \(work)/fastcgi;
        uwsgi_temp_path \(work)/uwsgi;
        scgi_temp_path \(work)/scgi;
        include \(work)/site.conf;
      }

      """
    // As root nginx's workers would switch to nobody, who cannot enter the test's directory.
    if geteuid() == 0 { main = "user root;\n" + main }
    try main.write(toFile: work + "/nginx.conf", atomically: true, encoding: .utf8)
    let arguments = ["-c", work + "/nginx.conf", "-p", work + "/", "-e", work + "/error.log"]
    let checked = try await ClientThreads.one {
      try ExternalTool.run(nginx, ["-t"] + arguments, in: work)
    }
    try #require(checked.status == 0, "nginx -t: \(checked.standardError)")
    let proxy = try StorefrontChild(
      arguments, workDirectory: work, testDefaults: false,
      executable: URL(fileURLWithPath: nginx))
    let port = httpsPort
    do {
      try await ClientThreads.one {
        let deadline = Date().addingTimeInterval(30)
        while (try? TestConnection(port: port, timeout: 2)) == nil {
          guard !proxy.hasExited, Date() < deadline else {
            throw TestError("nginx did not listen: \(proxy.standardError)")
          }
          usleep(20_000)
        }
      }
    } catch {
      _ = try? proxy.stop(with: SIGTERM)
      throw error
    }
    return proxy
  }

  /// `curl` from source address `from` (a loopback address) to `path`.
  func request(
    _ method: String, _ path: String, from: String = "127.0.0.1", headers: [String] = [],
    body: String? = nil, https: Bool = true
  ) throws -> Reply {
    var arguments = [
      "-sS", "-i", "--max-time", "30", "--interface", from, "-X", method,
    ]
    if https { arguments += ["--cacert", work + "/cert.pem"] }
    for header in headers { arguments += ["-H", header] }
    if let body {
      let file = work + "/body-\(UUID().uuidString)"
      try body.write(toFile: file, atomically: true, encoding: .utf8)
      arguments += ["--data-binary", "@" + file]
    }
    let url =
      https ? "https://127.0.0.1:\(httpsPort)\(path)" : "http://127.0.0.1:\(httpPort)\(path)"
    let result = try ExternalTool.run(curl, arguments + [url], in: work)
    guard result.status == 0 else { throw TestError("curl \(url): \(result.standardError)") }
    let output = result.standardOutput
    guard let split = output.range(of: "\r\n\r\n") else {
      throw TestError("no header end in curl's output: \(output)")
    }
    var lines = output[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    return Reply(
      status: Int(statusLine[1]) ?? 0, headers: headers,
      body: String(output[split.upperBound...]))
  }
}
