import Foundation
import HTTPTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// config/storefront.service: systemd accepts it, rates its sandboxing, and Storefront runs
/// under what of it can be reproduced without systemd as PID 1 (a read-only file system but
/// for the data directory, no new privileges, no capabilities, an unprivileged user, umask
/// 0077, no writable and executable memory), traced with strace to check that every system
/// call and socket family it uses is inside the unit's `SystemCallFilter=` and
/// `RestrictAddressFamilies=`.
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

  /// The system calls systemd's `SystemCallFilter=` lines of `unit` allow: the union of the
  /// allow-listed sets minus the `~` ones, expanded through `systemd-analyze syscall-filter`.
  static func allowedSystemCalls(_ unit: [(key: String, value: String)], analyze: String) throws
    -> Set<String>
  {
    let listing = try ExternalTool.run(analyze, ["syscall-filter"], in: "/").standardOutput
    var groups: [String: [String]] = [:]
    var current: String?
    for line in listing.split(separator: "\n") {
      if line.hasPrefix("@") {
        current = String(line)
        groups[String(line), default: []] = []
      } else if let group = current {
        let entry = line.trimmingCharacters(in: .whitespaces)
        if !entry.isEmpty, !entry.hasPrefix("#") { groups[group]?.append(entry) }
      }
    }
    func expand(_ name: String, _ seen: inout Set<String>) -> Set<String> {
      guard name.hasPrefix("@") else { return [name] }
      guard seen.insert(name).inserted else { return [] }
      return (groups[name] ?? []).reduce(into: Set<String>()) { $0.formUnion(expand($1, &seen)) }
    }
    var allowed = Set<String>()
    var denied = Set<String>()
    for setting in unit where setting.key == "SystemCallFilter" {
      let deny = setting.value.hasPrefix("~")
      for name in setting.value.drop(while: { $0 == "~" }).split(separator: " ") {
        var seen = Set<String>()
        let names = expand(String(name), &seen)
        if deny { denied.formUnion(names) } else { allowed.formUnion(names) }
      }
    }
    guard allowed.contains("read"), denied.contains("reboot") else {
      throw TestError("could not expand the unit's system-call filter from: \(listing.prefix(400))")
    }
    return allowed.subtracting(denied)
  }

  /// The names of the system calls in an `strace -f` output, and the address families of the
  /// sockets made, from the line that `execve`s `binary` on (what ran before is the sandbox's
  /// setup, not Storefront).
  static func traced(_ trace: String, binary: String) throws -> (
    calls: Set<String>, families: Set<String>
  ) {
    let lines = trace.split(separator: "\n")
    guard let start = lines.firstIndex(where: { $0.contains("execve(\"\(binary)\"") }) else {
      throw TestError("no execve of \(binary) in the trace")
    }
    var calls = Set<String>()
    var families = Set<String>()
    for line in lines[start...] {
      // "1234 name(args) = 0", "1234 name(args <unfinished ...>", "1234 <... name resumed>".
      guard let call = line.firstMatch(of: /^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]/) else { continue }
      calls.insert(String(call.output.1))
      if let family = line.firstMatch(of: /^\d+\s+socket(?:pair)?\((AF_[A-Z0-9]+)/) {
        families.insert(String(family.output.1))
      }
    }
    return (calls, families)
  }

  @Test(
    "storefront serves, takes admin commands and stops cleanly inside the unit's sandbox, making only system calls and sockets the unit allows",
    .enabled(
      if: (geteuid() == 0
        && ExternalTool.available(["unshare", "setpriv", "strace", "systemd-analyze"]))
        || ExternalTool.inCI,
      "needs root, unshare and setpriv (util-linux), strace and systemd-analyze"),
    .timeLimit(.minutes(5)))
  func runsInsideTheSandbox() async throws {
    try #require(geteuid() == 0, "the sandbox is built with mount namespaces: run as root")
    let unshare = try ExternalTool.require("unshare", package: "util-linux")
    let setpriv = try ExternalTool.require("setpriv", package: "util-linux")
    let strace = try ExternalTool.require("strace", package: "strace")
    let analyze = try ExternalTool.require("systemd-analyze", package: "systemd")
    let unit = Self.settings(try Self.unitText)
    let allowedCalls = try await ClientThreads.one {
      try Self.allowedSystemCalls(unit, analyze: analyze)
    }
    let allowedFamilies = Set(
      (unit.first { $0.key == "RestrictAddressFamilies" }?.value ?? "").split(separator: " ")
        .map(String.init))
    #expect(allowedFamilies == ["AF_INET", "AF_INET6", "AF_UNIX"])
    let directory = try APIDataDirectory()
    let work = directory.path
    let data = work + "/data"
    let trace = work + "/syscalls.trace"
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
    // strace (outside the sandbox) -> unshare -> sh -> setpriv -> storefront: the last three
    // exec in turn, so storefront is strace's child.
    // Under scripts/sanitize address, LeakSanitizer's exit check stops threads with ptrace,
    // which strace already holds, so it cannot run here (every other test keeps it on).
    var environment: [String: String] = [:]
    if let options = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] {
      environment["ASAN_OPTIONS"] = options + ":detect_leaks=0"
    }
    let tracer = try StorefrontChild(
      [
        "-f", "-qq", "-o", trace, unshare,
        "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sandbox", data,
        setpriv, "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all",
        "--reuid=\(user)", "--regid=\(user)", "--clear-groups",
        binary, "serve", "--config",
        Self.root.appendingPathComponent("config/storefront.json").path,
        "--data-dir", data, "--port", String(port), "--workers", "2",
      ], workDirectory: work, environment: environment, executable: URL(fileURLWithPath: strace))
    let tracerID = tracer.process.processIdentifier
    // Storefront's pid, once it listens (strace's only child).
    let server: pid_t = try await ClientThreads.one {
      let deadline = Date().addingTimeInterval(120)
      while Date() < deadline {
        guard !tracer.hasExited else { throw TestError("exited: \(tracer.standardError)") }
        if let response = try? TestConnection(port: port, timeout: 5).request("GET", "/api/ready/"),
          response.status == 200,
          let children = try? String(
            contentsOfFile: "/proc/\(tracerID)/task/\(tracerID)/children", encoding: .utf8),
          let child = children.split(separator: " ").first.flatMap({ pid_t($0) })
        {
          return child
        }
        usleep(20_000)
      }
      throw TestError("the sandboxed server did not get ready: \(tracer.standardError)")
    }
    defer {
      kill(server, SIGKILL)
      kill(tracerID, SIGKILL)
      _ = try? tracer.waitForExit(seconds: 10)
    }
    let client = APIClient(port: port)
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
    let scraped = try await PrometheusText.scrape(port: port)
    #expect(scraped.sum("storefront_http_requests_total") >= 2)

    // What it made belongs to the service user, private; no memory is writable and executable
    // (MemoryDenyWriteExecute=yes would refuse such a mapping).
    for name in ["events.jsonl", "eventlog.lock", "control.sock"] {
      var info = stat()
      #expect(lstat(data + "/" + name, &info) == 0, "\(name)")
      #expect(info.st_uid == user, "\(name)")
      #expect(info.st_mode & 0o077 == 0, "\(name) is readable by others")
    }
    let maps = try String(contentsOfFile: "/proc/\(server)/maps", encoding: .utf8)
    let writableExecutable = maps.split(separator: "\n").filter {
      let permissions = $0.split(separator: " ")[1]
      return permissions.contains("w") && permissions.contains("x")
    }
    #expect(writableExecutable.isEmpty, "\(writableExecutable)")
    // strace exits with its command's status.
    kill(server, SIGTERM)
    let status = try await ClientThreads.one { try tracer.waitForExit(seconds: 60) }
    #expect(status == 0, "\(tracer.standardError)")
    #expect(!tracer.standardError.contains("error"), "\(tracer.standardError)")

    // SystemCallFilter= (with SystemCallErrorNumber=EPERM a call outside it fails) and
    // RestrictAddressFamilies=: everything Storefront did above stays inside both.
    let (calls, families) = try Self.traced(
      try String(contentsOfFile: trace, encoding: .utf8), binary: binary)
    #expect(calls.contains("fdatasync") && calls.contains("accept4"), "\(calls.sorted())")
    #expect(
      calls.subtracting(allowedCalls).isEmpty,
      "outside the filter: \(calls.subtracting(allowedCalls).sorted())")
    #expect(families.contains("AF_UNIX") && families.contains("AF_INET"), "\(families)")
    #expect(families.isSubset(of: allowedFamilies), "\(families)")
  }
}
