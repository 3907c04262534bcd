import EventHTTP
import Logging
import Primitives
import Storefront

/// What a `storefront_t *` points to: an open ``StorefrontApp`` and how it is being served.
///
/// The C functions in `StorefrontCExports.swift` only check their arguments, call one method
/// here and translate its ``CAPIError`` into a code and the thread's last error.
final class EmbeddedStorefront: Sendable {
  /// The C function pointer type `storefront_drained_fn`.
  typealias DrainedCallback =
    @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) ->
    Void

  /// How the handle is used right now.
  enum Mode: Sendable {
    case idle
    case serving
    /// Between the checks of `storefront_attach` and its success.
    case attaching
    case attached(Attachment)
    case closed
  }

  let app: StorefrontApp
  let logger: Logger
  let stopPipe: StopPipe
  private let mode = Locked<Mode>(.idle)

  private init(app: StorefrontApp, logger: Logger, stopPipe: StopPipe) {
    self.app = app
    self.logger = logger
    self.stopPipe = stopPipe
  }

  /// Loads the configuration, locks the data directory and replays the log (blocking).
  static func open(configPath: String?, dataDir: String?) throws(CAPIError) -> EmbeddedStorefront {
    let stopPipe = try StopPipe.make()
    do {
      let app = try blockingAwait {
        let config = try await StorefrontMount.loadConfig(configPath: configPath, dataDir: dataDir)
        return try StorefrontApp.open(
          config: config, logger: StorefrontMount.logger(config: config))
      }
      let logger = StorefrontMount.logger(config: app.config)
      logger.info(
        "storefront opened",
        metadata: [
          "data_dir": "\(app.config.dataDir)", "records": "\(app.replayedRecords)",
          "config": "\(app.config.configFile ?? "(defaults)")",
        ])
      return EmbeddedStorefront(app: app, logger: logger, stopPipe: stopPipe)
    } catch {
      stopPipe.close()
      throw CAPIError.classify(error, context: "storefront_open")
    }
  }

  /// The pointer handed to C; the handle stays alive until ``release(_:)``.
  func retainedPointer() -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(self).toOpaque())
  }

  /// The handle behind a pointer from ``retainedPointer()``, without changing its count.
  static func borrow(_ pointer: OpaquePointer) -> EmbeddedStorefront {
    Unmanaged<EmbeddedStorefront>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
  }

  /// Balances ``retainedPointer()``.
  static func release(_ pointer: OpaquePointer) {
    Unmanaged<EmbeddedStorefront>.fromOpaque(UnsafeRawPointer(pointer)).release()
  }

  // MARK: Attached to a host's evhttp

  /// Installs the API on the host's `http` (on `base`), under `prefix`.
  func attach(base: OpaquePointer, http: OpaquePointer, prefix: String) throws(CAPIError) {
    let prefix = try MountPrefix.validate(prefix)
    try leaveIdle(for: .attaching, in: "storefront_attach")
    let attachment: Attachment
    do {
      attachment = try Attachment(app: app, logger: logger, base: base, http: http, prefix: prefix)
    } catch {
      mode.withLock { $0 = .idle }
      throw CAPIError.classify(error, context: "storefront_attach")
    }
    mode.withLock { $0 = .attached(attachment) }
    logger.info("storefront attached to the host's evhttp under \(prefix)")
  }

  /// Stops routing new requests here and reports through `callback` once drained.
  func detach(
    pointer: OpaquePointer, callback: DrainedCallback?, argument: UnsafeMutableRawPointer?
  ) throws(CAPIError) {
    let current = mode.withLock { $0 }
    guard case .attached(let attachment) = current else {
      throw CAPIError(.state, "storefront_detach: the handle is not attached (\(current.name))")
    }
    let timeout = Duration.seconds(app.config.limits.shutdownTimeoutSeconds)
    let logger = logger
    // The C pointers travel as bit patterns: they are only handed back to the host's callback.
    let pointerBits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pointer)))
    let argumentBits = UInt(bitPattern: argument)
    try attachment.detach(timeout: timeout) { status in
      if status == .timeout {
        logger.warning("storefront_detach: shutdown timeout reached with requests in flight")
      }
      callback?(
        OpaquePointer(bitPattern: pointerBits), status.rawValue,
        UnsafeMutableRawPointer(bitPattern: argumentBits))
    }
  }

  // MARK: Standalone

  /// Serves on Storefront's own loops until ``stop()``, then drains and returns.
  func serve() throws(CAPIError) {
    try leaveIdle(for: .serving, in: "storefront_serve")
    defer { mode.withLock { $0 = .idle } }
    let config = app.config
    let server: HTTPServer
    do {
      let options = StorefrontMount.httpOptions(config: config)
      server = try HTTPServer(
        options: options,
        responder: StorefrontMount.responder(app: app, prefix: StorefrontServer.prefix),
        observer: StorefrontMount.accessObserver(
          config: config, logger: logger, loops: options.workers))
      try server.start()
    } catch {
      throw CAPIError.classify(error, context: "storefront_serve")
    }
    logger.info(
      "storefront listening on http://\(config.host):\(server.port)\(StorefrontServer.prefix)/",
      metadata: ["workers": "\(server.loops.count)"])
    stopPipe.waitAndConsume()
    logger.notice("storefront_stop: finishing in-flight requests")
    let timeout = Duration.seconds(config.limits.shutdownTimeoutSeconds)
    let drained = try? blockingAwait { await server.shutdown(timeout: timeout) }
    if drained != true { logger.warning("shutdown timeout reached with requests in flight") }
  }

  /// Makes the current or next ``serve()`` return. Async-signal-safe.
  func stop() { stopPipe.signal() }

  // MARK: Closing

  /// Abandons what is still attached, closes the log and the stop pipe.
  func close() throws(CAPIError) {
    let previous = mode.withLock { mode in
      let previous = mode
      if case .serving = mode { return previous }
      mode = .closed
      return previous
    }
    switch previous {
    case .serving:
      throw CAPIError(
        .state, "storefront_close: storefront_serve is running; call storefront_stop and wait")
    case .closed:
      throw CAPIError(.state, "storefront_close: the handle is already closed")
    case .attached(let attachment):
      attachment.abandon()
    case .idle, .attaching:
      break
    }
    defer {
      stopPipe.close()
      StorefrontMount.flushLogs()
    }
    do {
      try blockingAwait { [app] in try await app.close() }
    } catch {
      throw CAPIError.classify(error, context: "storefront_close")
    }
  }

  /// Moves from idle to `next`, or throws the state error naming the current state.
  private func leaveIdle(for next: Mode, in function: String) throws(CAPIError) {
    let refused: String? = mode.withLock { mode in
      guard case .idle = mode else { return mode.name }
      mode = next
      return nil
    }
    if let refused { throw CAPIError(.state, "\(function): the handle is \(refused)") }
  }
}

extension EmbeddedStorefront.Mode {
  /// The state as a phrase for messages.
  var name: String {
    switch self {
    case .idle: "open and idle"
    case .serving: "serving (storefront_serve is running)"
    case .attaching: "being attached"
    case .attached: "attached to an evhttp"
    case .closed: "closed"
    }
  }
}
