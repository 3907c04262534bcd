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
    let options = httpOptions(config)
    let metrics = config.metrics.isEnabled ? StorefrontMetrics() : nil
    let routeLabels = StorefrontResponder.routeLabels(prefix: prefix) + [config.metrics.path]
    let endpoint = metrics.map {
      MetricsEndpoint(metrics: $0, path: config.metrics.path, route: routeLabels.count - 1)
    }
    let metricsAddress = config.metrics.listenAddress
    let front = ServingResponder(prefix: prefix, metrics: metricsAddress == nil ? endpoint : nil)
    let accessLog = accessObserver(config: config, logger: logger, loops: options.workers)
    let server: HTTPServer
    let metricsServer: HTTPServer?
    do {
      server = try HTTPServer(
        options: options, responder: front, observer: accessLog,
        metrics: metrics.map {
          HTTPMetrics(factory: $0.factory, loops: options.workers, routes: routeLabels)
        })
      metricsServer = try metricsAddress.map { address in
        try HTTPServer(
          options: HTTPServerOptions(
            host: address.host, port: address.port, workers: 1, maxBodyBytes: 1024,
            maxConnections: 64),
          responder: MetricsOnlyResponder(endpoint: endpoint!))
      }
    } catch {
      await accessLog?.close(timeout: .seconds(1))
      logger.critical("cannot start the HTTP server: \(error)")
      return 1
    }
    if let metrics {
      metrics.sampledGauge("http_requests_in_flight") {
        server.stats.inFlight.load(ordering: .relaxed)
      }
      metrics.sampledGauge("ready") { front.isReady ? 1 : 0 }
    }

    // Lock the directory, then listen (control socket, port), then replay: a second server
    // started by mistake stops at the lock before it takes any connection.
    let startup = await open(
      config: config, logger: logger, metrics: metrics, front: front, server: server,
      metricsServer: metricsServer)
    guard case .success(let app, let control) = startup.outcome else {
      if case .failure(let message) = startup.outcome { logger.critical("\(message)") }
      if startup.metricsServerStarted { await metricsServer?.shutdown(timeout: .seconds(1)) }
      if startup.serverStarted {
        await server.shutdown(timeout: .seconds(1))
      } else {
        await accessLog?.close(timeout: .seconds(1))
      }
      return 1
    }
    let api = StorefrontResponder(
      app: app, prefix: prefix, maxBodyBytes: config.limits.maxBodyBytes,
      tagsRoutes: metrics != nil)
    metrics?.sample(app: app, throttle: api.throttle)
    front.open(api)
    control.serve { request, connection in
      await AdminOperations.serve(request, app: app, connection: connection)
    }
    logger.notice(
      "storefront ready: replayed \(app.replayedRecords) records",
      metadata: ["records": "\(app.replayedRecords)", "control": "\(control.path)"])

    let signal = await signals.wait()
    logger.notice("signal \(signal): stopping; finishing in-flight requests")
    let timeout = Duration.seconds(config.limits.shutdownTimeoutSeconds)
    control.close(timeout: timeout)
    await metricsServer?.shutdown(timeout: .seconds(1))
    let drained = await server.shutdown(timeout: timeout)
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

  /// How opening the data directory ended, and what had been started by then.
  private struct Startup: Sendable {
    enum Outcome: Sendable {
      case success(StorefrontApp, ControlServer)
      case failure(String)
    }
    var outcome: Outcome
    var serverStarted = false
    var metricsServerStarted = false
  }

  /// On a thread of its own (replay may take long): locks the directory, creates the control
  /// socket and starts the servers, then replays the log (``ServingResponder`` answering
  /// meanwhile).
  private static func open(
    config: StorefrontConfig, logger: Logger, metrics: StorefrontMetrics?,
    front: ServingResponder, server: HTTPServer, metricsServer: HTTPServer?
  ) async -> Startup {
    await withCheckedContinuation { (continuation: CheckedContinuation<Startup, Never>) in
      Thread.detachNewThread {
        var startup = Startup(outcome: .failure("not started"))
        var control: ControlServer?
        var stage = "cannot open data directory \(config.dataDir)"
        do {
          let app = try StorefrontApp.open(
            config: config, logger: logger, unrecoverableWriteFailure: nil,
            metrics: metrics?.factory,
            replayProgress: { front.replayed.store($0, ordering: .relaxed) },
            locked: {
              stage = "cannot create the control socket"
              control = try ControlServer.listen(dataDir: config.dataDir, logger: logger)
              stage = "cannot start the HTTP server"
              try server.start()
              startup.serverStarted = true
              if let metricsServer {
                stage = "cannot start the metrics listener"
                try metricsServer.start()
                startup.metricsServerStarted = true
              }
              logger.info(
                "storefront listening on http://\(config.host):\(server.port)\(prefix)/ (replaying the event log)",
                metadata: [
                  "workers": "\(server.loops.count)", "data_dir": "\(config.dataDir)",
                  "config": "\(config.configFile ?? "(defaults)")",
                  "accept": "\(config.accept.rawValue)",
                  "metrics": "\(metricsDescription(config, server, metricsServer))",
                ])
              stage = "cannot open data directory \(config.dataDir)"
            })
          startup.outcome = .success(app, control!)
        } catch {
          control?.close(timeout: .zero)
          startup.outcome = .failure("\(stage): \(error)")
        }
        continuation.resume(returning: startup)
      }
    }
  }

  /// Where metrics are served, for the startup line.
  private static func metricsDescription(
    _ config: StorefrontConfig, _ server: HTTPServer, _ metricsServer: HTTPServer?
  ) -> String {
    guard config.metrics.isEnabled else { return "off" }
    if let metricsServer, let address = config.metrics.listenAddress {
      let host = address.host.contains(":") ? "[\(address.host)]" : address.host
      return "http://\(host):\(metricsServer.port)\(config.metrics.path)"
    }
    return "http://\(config.host):\(server.port)\(config.metrics.path)"
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
