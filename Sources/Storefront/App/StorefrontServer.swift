import EventHTTP
import Foundation
import Logging

/// The standalone server behind `storefront serve`.
public enum StorefrontServer {
  /// The mount point of the API.
  public static let prefix = "/api"

  /// Opens the data directory, serves until SIGINT/SIGTERM, drains in-flight requests
  /// (bounded by `limits.shutdown_timeout_seconds`), closes the log; returns the exit code.
  public static func run(config: StorefrontConfig) async throws -> Int32 {
    let status = try await serve(config: config)
    await LoggingSetup.flush()
    return status
  }

  private static func serve(config: StorefrontConfig) async throws -> Int32 {
    let logger = LoggingSetup.logger("storefront", config: config)
    // A client that resets its connection must not kill the process through a write.
    signal(SIGPIPE, SIG_IGN)
    raiseFileLimit(toServe: config.limits.maxConnections, logger: logger)
    let signals = SignalWaiter()
    let app: StorefrontApp
    do {
      app = try StorefrontApp.open(config: config, logger: logger)
    } catch {
      logger.critical("cannot open data directory \(config.dataDir): \(error)")
      return 1
    }
    let server: HTTPServer
    let options = httpOptions(config)
    let accessLog = accessObserver(config: config, logger: logger, loops: options.workers)
    do {
      server = try HTTPServer(
        options: options,
        responder: StorefrontResponder(
          app: app, prefix: prefix, maxBodyBytes: config.limits.maxBodyBytes),
        observer: accessLog)
      try server.start()
    } catch {
      await accessLog?.close(timeout: .seconds(1))
      logger.critical("cannot start the HTTP server: \(error)")
      try? await app.close()
      return 1
    }
    logger.info(
      "storefront listening on http://\(config.host):\(server.port)\(prefix)/",
      metadata: [
        "workers": "\(server.loops.count)", "data_dir": "\(config.dataDir)",
        "config": "\(config.configFile ?? "(defaults)")", "records": "\(app.replayedRecords)",
        "accept": "\(config.accept.rawValue)",
      ])
    let signal = await signals.wait()
    logger.notice("signal \(signal): stopping; finishing in-flight requests")
    let drained = await server.shutdown(
      timeout: .seconds(config.limits.shutdownTimeoutSeconds))
    if !drained { logger.warning("shutdown timeout reached with requests still in flight") }
    do {
      try await app.close()
    } catch {
      logger.error("closing the log failed: \(error)")
      return 1
    }
    logger.notice("stopped")
    return 0
  }

  /// Lifts the soft open-file limit toward the hard one, so that `limits.max_connections`
  /// sockets (and the log, listeners, some slack) fit; warns when the hard limit is lower.
  static func raiseFileLimit(toServe connections: Int, logger: Logger) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    let wanted = rlim_t(connections + 256)
    if limit.rlim_cur < wanted {
      limit.rlim_cur = min(wanted, limit.rlim_max)
      setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    if limit.rlim_cur < wanted {
      logger.warning(
        "open-file limit \(limit.rlim_cur) is below limits.max_connections + 256 (\(wanted)); raise it (ulimit -n, LimitNOFILE=)"
      )
    }
  }

  static func httpOptions(_ config: StorefrontConfig) -> HTTPServerOptions {
    HTTPServerOptions(
      host: config.host, port: config.port, workers: config.resolvedWorkers,
      acceptMode: config.accept == .shared ? .shared : .reusePort,
      maxBodyBytes: config.limits.maxBodyBytes, maxHeaderBytes: config.limits.maxHeaderBytes,
      timeoutSeconds: config.limits.timeoutSeconds,
      requestTimeoutSeconds: config.limits.requestTimeoutSeconds,
      maxConnections: config.limits.maxConnections,
      maxInflightBodyBytes: config.limits.maxInflightBodyBytes)
  }

  /// One access line per request at `log.access_level` (see ``AccessLogFormat``): method,
  /// path (no query), status, body bytes, microseconds, loop; never headers or bodies. `nil`
  /// when `log.level` filters that level out. ``HTTPServer/shutdown(timeout:)`` writes it out.
  static func accessObserver(config: StorefrontConfig, logger: Logger, loops: Int) -> AccessLog? {
    LoggingSetup.accessLog(config: config, logger: logger, loops: loops)
  }
}
