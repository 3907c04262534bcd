import Foundation
import Logging

/// The complete configuration of a Storefront process: one property per key, named as the key in
/// camel case (`limits.max_body_bytes`: `limits.maxBodyBytes`); its initial value is the
/// default, and config/README.md gives its meaning (the schema renders it).
///
/// Values come, lowest precedence first, from the defaults below, the JSON configuration file
/// (`config/storefront.json` or `--config PATH`), `STOREFRONT_*` environment variables, and
/// command-line flags. Use ``load(configPath:environment:overrides:)`` to build one.
///
/// ```swift
/// let config = try await StorefrontConfig.load(configPath: nil, overrides: ["port": "9000"])
/// print(config.port, config.limits.maxBodyBytes, config.resolvedWorkers)
/// ```
public struct StorefrontConfig: Sendable, Equatable {
  public var host: String = "127.0.0.1"
  /// `port` (`0`: an ephemeral port).
  public var port: Int = 8000
  /// `workers` (`0`: one per core, see ``resolvedWorkers``).
  public var workers: Int = 0
  public var dataDir: String = "data"
  public var accept: AcceptMode = .reuseport
  public var log = Log()
  public var limits = Limits()
  public var storage = Storage()
  public var auth = Auth()
  public var throttle = Throttle()
  public var metrics = Metrics()
  public var api = API()
  /// The configuration file the values were read from, or `nil` (for the startup log line).
  public var configFile: String? = nil

  /// The number of event loops to run: ``workers``, or the number of active cores when it is `0`.
  public var resolvedWorkers: Int {
    workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
  }

  /// How the event loops share the listening port (`accept`): a `SO_REUSEPORT` socket each, or
  /// one socket all accept on.
  public enum AcceptMode: String, Sendable, Equatable, CaseIterable { case reuseport, shared }

  /// `log.*`.
  public struct Log: Sendable, Equatable {
    /// `log.format`: `text` (swift-log's `StreamLogHandler` layout) or `json` (one object a line).
    public enum Format: String, Sendable, Equatable, CaseIterable { case text, json }

    public var level: Logger.Level = .info
    public var accessLevel: Logger.Level = .info
    public var format: Format = .text
  }

  /// `limits.*`.
  public struct Limits: Sendable, Equatable {
    public var maxBodyBytes: Int = 1_048_576
    public var maxHeaderBytes: Int = 8192
    public var timeoutSeconds: Int = 30
    public var requestTimeoutSeconds: Int = 30
    public var maxConnections: Int = 10_000
    /// `limits.max_inflight_body_bytes` (at least ``maxBodyBytes``).
    public var maxInflightBodyBytes: Int = 67_108_864
    public var shutdownTimeoutSeconds: Int = 10
  }

  /// `storage.*`: where the shop's events are kept, durability and compaction.
  public struct Storage: Sendable, Equatable {
    /// When a write counts as durable (`storage.fsync`): `fsync` before every acknowledgement,
    /// within ``batchMilliseconds`` before it, or never.
    public enum FsyncPolicy: String, Sendable, Equatable, CaseIterable { case always, batch, never }

    /// Where the events are kept (`storage.backend`): the event log in
    /// ``StorefrontConfig/dataDir``, or PostgreSQL at ``postgresURL``.
    public enum Backend: String, Sendable, Equatable, CaseIterable { case file, postgres }

    public var fsync: FsyncPolicy = .always
    public var batchMilliseconds: Int = 5
    public var compactionFactor: Double = 2.0
    public var compactionMinBytes: Int = 67_108_864
    public var backend: Backend = .file
    /// `storage.postgres_url`: a connection URL (it may hold a password: never log it); not
    /// empty when ``backend`` is `postgres`.
    public var postgresURL: String = ""
  }

  /// `auth.*`.
  public struct Auth: Sendable, Equatable {
    public var pbkdf2Iterations: Int = 1_000_000
    /// `auth.token_ttl_seconds` (`0`: tokens never expire).
    public var tokenTTLSeconds: Int = 0
    public var maxTokensPerUser: Int = 100
    /// `auth.hash_threads` (`0`: one per core, see ``resolvedHashThreads``).
    public var hashThreads: Int = 0
    public var maxPendingHashes: Int = 64

    /// The number of hashing threads: ``hashThreads``, or the number of active cores when `0`.
    public var resolvedHashThreads: Int {
      hashThreads > 0 ? hashThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
  }

  /// `throttle.*`, off by default as in DRF.
  public struct Throttle: Sendable, Equatable {
    /// `throttle.anon` (nil: no limit).
    public var anon: ThrottleRate? = nil
    /// `throttle.user` (nil: no limit).
    public var user: ThrottleRate? = nil
    /// `throttle.trusted_proxies`, canonical IP addresses.
    public var trustedProxies: [String] = []

    /// The most addresses `throttle.trusted_proxies` may hold.
    static let maxProxies = 1024

    /// Comma-separated IP addresses (spaces around commas allowed, at most ``maxProxies``) in
    /// canonical form; `[]` for `""`, nil when an entry is no address.
    static func parseProxies(_ text: String) -> [String]? {
      if ClientAddress.trimmed(text[...]).isEmpty { return [] }
      let entries = text.split(separator: ",", omittingEmptySubsequences: false)
      guard entries.count <= maxProxies else { return nil }
      let addresses = entries.compactMap { ClientAddress.canonical(ClientAddress.trimmed($0)) }
      return addresses.count == entries.count ? addresses : nil
    }
  }

  /// `metrics.*`.
  public struct Metrics: Sendable, Equatable {
    /// `metrics.path` (`""`: metrics off).
    public var path: String = "/metrics"
    /// `metrics.listen`: `""` (the API's port) or `HOST:PORT`, canonical.
    public var listen: String = ""

    /// Whether metrics are collected at all.
    public var isEnabled: Bool { !path.isEmpty }
    /// ``listen`` split into host and port, or nil when it is `""`.
    public var listenAddress: (host: String, port: Int)? { Self.parseListen(listen) }

    /// `HOST:PORT` (`[v6]:PORT` for IPv6) as (canonical host, port), or nil.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      var host = text[..<colon]
      let portText = text[text.index(after: colon)...]
      guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII),
        let port = Int(portText), (0...65_535).contains(port)
      else { return nil }
      if host.hasPrefix("[") {
        guard host.hasSuffix("]") else { return nil }
        host = host.dropFirst().dropLast()
        guard host.contains(":") else { return nil }
      } else if host.contains(":") {
        return nil
      }
      return ClientAddress.canonical(host).map { ($0, port) }
    }

    /// `""`, or `HOST:PORT` with the host in canonical form (`[v6]:PORT` for IPv6); nil when
    /// `text` is neither.
    static func canonicalListen(_ text: String) -> String? {
      if text.isEmpty { return "" }
      guard let (host, port) = parseListen(text) else { return nil }
      return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether `path` may be the metrics path: `""`, or `/` and up to 255 more printable
    /// ASCII bytes without `?`, `#` or spaces, outside `/api` and `/api/...`.
    static func isValidPath(_ path: String) -> Bool {
      if path.isEmpty { return true }
      let bytes = path.utf8
      guard bytes.first == UInt8(ascii: "/"), bytes.count <= 256,
        bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3F && $0 != 0x23 })  // not ? #
      else { return false }
      let api = StorefrontServer.prefix
      return path != api && !path.hasPrefix(api + "/")
    }
  }

  /// `api.*`.
  public struct API: Sendable, Equatable {
    public var maxPageSize: Int = 100
    public var idempotencyTTLSeconds: Int = 86_400
  }
}
