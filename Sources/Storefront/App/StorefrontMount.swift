import EventHTTP
import Foundation
import Logging

/// What an embedder needs to serve an open ``StorefrontApp`` on event loops it owns or
/// starts itself: the configuration without the working-directory default file, the API
/// responder, the standalone server options, the loggers and the access observer.
///
/// The C API (`include/storefront.h`, target `StorefrontC`) is built on these.
///
/// ```swift
/// let config = try await StorefrontMount.loadConfig(configPath: nil, dataDir: "/var/lib/shop")
/// let app = try StorefrontApp.open(config: config, logger: StorefrontMount.logger(config: config))
/// let responder = StorefrontMount.responder(app: app, prefix: "/api")
/// ```
public enum StorefrontMount {
  /// Loads the configuration for an embedded Storefront: defaults, then the file at
  /// `configPath` (only when given: an embedder's working directory is not Storefront's, so
  /// `config/storefront.json` is never picked up implicitly), then `STOREFRONT_*` environment
  /// variables, then `dataDir` (when given) as `data_dir`; checked for a usable store
  /// (``StorefrontConfig/checkStorage()``).
  public static func loadConfig(
    configPath: String?, dataDir: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async throws(ConfigurationError) -> StorefrontConfig {
    var overrides: [String: String] = [:]
    if let dataDir { overrides["data_dir"] = dataDir }
    let config = try await StorefrontConfig.load(
      configPath: configPath, defaultPath: nil, environment: environment, overrides: overrides)
    try config.checkStorage()
    return config
  }

  /// The API of `app` served under `prefix` (e.g. `/api`; a trailing slash is ignored), with
  /// bodies limited to `limits.max_body_bytes`.
  public static func responder(app: StorefrontApp, prefix: String) -> any HTTPResponder {
    StorefrontResponder(app: app, prefix: prefix, maxBodyBytes: app.config.limits.maxBodyBytes)
  }

  /// The options of a standalone server for `config` (host, port, workers, accept, limits).
  public static func httpOptions(config: StorefrontConfig) -> HTTPServerOptions {
    StorefrontServer.httpOptions(config)
  }

  /// A logger labelled `label` at `log.level`, writing to standard error.
  public static func logger(_ label: String = "storefront", config: StorefrontConfig) -> Logger {
    LoggingSetup.logger(label, config: config)
  }

  /// The access log for `log.access_level` on `loops` loops (1 for a host's evhttp), or `nil`
  /// when that level is filtered out. An ``HTTPServer`` closes it in its shutdown; on a host's
  /// loop, call ``AccessLog/closeBlocking(timeout:)`` once the loop no longer serves.
  public static func accessObserver(
    config: StorefrontConfig, logger: Logger, loops: Int
  ) -> AccessLog? {
    StorefrontServer.accessObserver(config: config, logger: logger, loops: loops)
  }

  /// Waits (bounded) until every line logged so far is written to standard error; blocks the
  /// calling thread (for C hosts' threads, e.g. in `storefront_close`).
  public static func flushLogs() { LoggingSetup.flushBlocking() }
}
