import Foundation

/// The complete configuration of a Storefront process.
///
/// Values come, lowest precedence first, from the defaults below, the JSON configuration file
/// (`config/storefront.json` or `--config PATH`), `STOREFRONT_*` environment variables, and
/// command-line flags. Use ``load(configPath:environment:overrides:)`` to build one; each
/// property's initial value is its documented default (config/README.md renders them).
///
/// ```swift
/// let config = try await StorefrontConfig.load(configPath: nil, overrides: ["port": "9000"])
/// print(config.port, config.limits.maxBodyBytes, config.resolvedWorkers)
/// ```
public struct StorefrontConfig: Sendable, Equatable {
  /// `host`: the address to listen on.
  public var host: String = "127.0.0.1"
  /// `port`: the TCP port to listen on, `0` for an ephemeral port.
  public var port: Int = 8000
  /// `workers`: the number of event loops, `0` for one per core (see ``resolvedWorkers``).
  public var workers: Int = 0
  /// `data_dir`: the directory holding the event log.
  public var dataDir: String = "data"
  /// `accept`: how the event loops share the listening port.
  public var accept: AcceptMode = .reuseport
  /// `log.*`: logging.
  public var log: Log = Log()
  /// `limits.*`: request and connection limits.
  public var limits: Limits = Limits()
  /// `storage.*`: event log durability and compaction.
  public var storage: Storage = Storage()
  /// `auth.*`: password hashing and tokens.
  public var auth: Auth = Auth()
  /// `throttle.*`: request rates per client address and per user (off by default).
  public var throttle: Throttle = Throttle()
  /// `metrics.*`: the Prometheus endpoint.
  public var metrics: Metrics = Metrics()
  /// `api.*`: list pages and idempotency keys.
  public var api: API = API()
  /// The configuration file the values were read from, or `nil` when none was read
  /// (informational, for the startup log line).
  public var configFile: String? = nil

  /// The number of event loops to run: ``workers``, or the number of active cores when it is `0`.
  public var resolvedWorkers: Int {
    workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
  }
}
