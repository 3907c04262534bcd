import Foundation
import HTTPTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// config/storefront.service: systemd accepts it, rates its sandboxing, and Storefront runs
/// under what of it can be reproduced without systemd as PID 1 (a read-only file system but
/// for the data directory, no new privileges, no capabilities, an unprivileged user, umask
/// 0077, no writable and executable memory).
@Suite("Operations: the systemd unit", .serialized)
struct OperationsServiceUnitTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static var unitText: String {
    get throws {
      try String(
        contentsOfFile: root.appendingPathComponent("config/storefront.service").path,
        encoding: .utf8)
    }
  }

  /// The unit's `Key=value` lines (a key may repeat).
  static func settings(_ text: String) -> [(key: String, value: String)] {
    text.split(separator: "\n").compactMap { line in
      guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=")
      else { return nil }
      return (String(line[..<equals]), String(line[line.index(after: equals)...]))
    }
  }

  @Test(
    "systemd-analyze verifies the unit and rates its exposure OK (at most 2.0)",
    .enabled(
      if: ExternalTool.available(["systemd-analyze"]) || ExternalTool.inCI,
      "systemd-analyze is missing: run scripts/setup (apt-get install systemd)"))
  func systemdAcceptsTheUnit() async throws {
    let analyze = try ExternalTool.require("systemd-analyze", package: "systemd")
    let directory = try APIDataDirectory()
    let text = try Self.unitText
    let settings = Self.settings(text)
    let want: [String: String] = [
      "ProtectSystem": "strict", "ReadWritePaths": "/var/lib/storefront",
      "NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectHome": "yes",
      "MemoryDenyWriteExecute": "yes", "CapabilityBoundingSet": "", "UMask": "0077",
    ]
    for (key, value) in want {
      #expect(settings.contains { $0.key == key && $0.value == value }, "\(key)=\(value)")
    }
    #expect(
      settings.contains {
        $0.key == "ExecStart" && $0.value.contains("--data-dir /var/lib/storefront")
      })
    // verify checks that ExecStart's program exists: point it at the binary under test.
    let binary = try StorefrontProcess.executable().path
    let unit = directory.path + "/storefront.service"
    try text.replacingOccurrences(of: "/usr/local/bin/storefront", with: binary)
      .write(toFile: unit, atomically: true, encoding: .utf8)
    let verified = try await ClientThreads.one {
      try ExternalTool.run(analyze, ["verify", unit], in: directory.path)
    }
    #expect(verified.status == 0, "\(verified.standardError)")
    #expect(!verified.standardError.contains("storefront.service:"), "\(verified.standardError)")
    let security = try await ClientThreads.one {
      try ExternalTool.run(analyze, ["security", "--offline=yes", unit], in: directory.path)
    }
    #expect(security.status == 0, "\(security.standardError)")
    let exposure = try #require(
      security.standardOutput.firstMatch(
        of: /Overall exposure level for storefront.service: (\d+\.\d)/),
      "\(security.standardOutput)")
    #expect(Double(exposure.output.1)! <= 2.0, "\(exposure.output.0)")
  }

  @Test(
    "storefront serves, takes admin commands and stops cleanly inside the unit's sandbox",
    .enabled(
      if: (geteuid() == 0 && ExternalTool.available(["unshare", "setpriv"])) || ExternalTool.inCI,
      "needs root, unshare and setpriv (util-linux)"))
  func runsInsideTheSandbox() async throws {
    try #require(geteuid() == 0, "the sandbox is built with mount namespaces: run as root")
    let unshare = try ExternalTool.require("unshare", package: "util-linux")
    let setpriv = try ExternalTool.require("setpriv", package: "util-linux")
    let directory = try APIDataDirectory()
    let work = directory.path
    let data = work + "/data"
    // The service user: nobody, owning only the data directory (as StateDirectory= makes it).
    let user: uid_t = 65534
    #expect(mkdir(data, 0o700) == 0)
    #expect(chown(data, user, user) == 0)
    #expect(chmod(work, 0o755) == 0)
    let port = try FreePort.pick()
    let binary = try StorefrontProcess.executable().path
    // ProtectSystem=strict + ReadWritePaths=<data>: every mount read-only but the data directory.
    let script = """
      set -e
      mount --bind "$1" "$1"
      awk '{print $2}' /proc/self/mounts | while read -r point; do
        [ "$point" = "$1" ] || mount -o remount,bind,ro "$point" 2>/dev/null || true
      done
      touch /storefront-sandbox-probe 2>/dev/null && { echo "/ is writable" >&2; exit 99; }
      umask 0077
      shift
      exec "$@"
      """
    let server = try StorefrontChild(
      [
        "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sandbox", data,
        setpriv, "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all",
        "--reuid=\(user)", "--regid=\(user)", "--clear-groups",
        binary, "serve", "--config",
        Self.root.appendingPathComponent("config/storefront.json").path,
        "--data-dir", data, "--port", String(port), "--workers", "2",
      ], workDirectory: work, executable: URL(fileURLWithPath: unshare))
    defer {
      kill(server.process.processIdentifier, SIGKILL)
      _ = try? server.waitForExit(seconds: 10)
    }
    let client = APIClient(port: port)
    try await ClientThreads.one {
      let deadline = Date().addingTimeInterval(60)
      while Date() < deadline {
        guard !server.hasExited else { throw TestError("exited: \(server.standardError)") }
        if let response = try? TestConnection(port: port, timeout: 2).request("GET", "/api/ready/"),
          response.status == 200
        {
          return
        }
        usleep(20_000)
      }
      throw TestError("the sandboxed server did not get ready: \(server.standardError)")
    }
    // Root, outside the sandbox, reaches the server through its control socket.
    let created = try await runStorefront([
      "createsuperuser", "--username", "admin", "--email", "admin@example.com", "--password",
      "admin-password-1", "--data-dir", data,
    ])
    #expect(created.status == 0, "\(created.standardError)")
    let token = try await client.login("admin", "admin-password-1")
    let admin = APIUser(id: 1, username: "admin", password: "admin-password-1", token: token)
    _ = try await client.category("Sandboxed", admin: admin)
    let backup = try await runStorefront([
      "backup", "--to", work + "/backup.jsonl", "--data-dir", data,
    ])
    #expect(backup.status == 0, "\(backup.standardError)")
    let compacted = try await runStorefront(["log", "compact", "--data-dir", data])
    #expect(compacted.status == 0, "\(compacted.standardError)")

    // What it made belongs to the service user, private; no memory is writable and executable
    // (MemoryDenyWriteExecute=yes would refuse such a mapping).
    for name in ["events.jsonl", "eventlog.lock", "control.sock"] {
      var info = stat()
      #expect(lstat(data + "/" + name, &info) == 0, "\(name)")
      #expect(info.st_uid == user, "\(name)")
      #expect(info.st_mode & 0o077 == 0, "\(name) is readable by others")
    }
    let maps = try String(
      contentsOfFile: "/proc/\(server.process.processIdentifier)/maps", encoding: .utf8)
    let writableExecutable = maps.split(separator: "\n").filter {
      let permissions = $0.split(separator: " ")[1]
      return permissions.contains("w") && permissions.contains("x")
    }
    #expect(writableExecutable.isEmpty, "\(writableExecutable)")
    let status = try await ClientThreads.one { try server.stop(with: SIGTERM) }
    #expect(status == 0, "\(server.standardError)")
    #expect(!server.standardError.contains("error"), "\(server.standardError)")
  }
}
