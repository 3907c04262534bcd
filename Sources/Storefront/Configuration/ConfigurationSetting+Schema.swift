import JSON

/// The schema: every key Storefront knows, in the order of config/storefront.json, with the
/// one-line meaning config/README.md's table gives it (``markdownTable``).
extension ConfigurationSetting {
  static let all: [ConfigurationSetting] = [
    .text("host", \.host, "Address to listen on; `\"0.0.0.0\"` for every interface."),
    .integer("port", \.port, 0...65_535, "TCP port; `0` picks a free one (logged at startup)."),
    .integer(
      "workers", \.workers, 0...256, note: "0 = one per core", "Event loops, a thread each."),
    .text("data_dir", \.dataDir, "Directory of the event log (locked by the running server)."),
    .choice("accept", \.accept, "A `SO_REUSEPORT` socket per loop, or one socket all accept on."),
    .choice("log.level", \.log.level, "Minimum level of log lines."),
    .choice("log.access_level", \.log.accessLevel, "Level of the one access line per request."),
    .choice("log.format", \.log.format, "swift-log's text lines, or one JSON object per line."),
    .integer(
      "limits.max_body_bytes", \.limits.maxBodyBytes, 1...1 << 30,
      "Largest request body (413 before it is read)."),
    .integer(
      "limits.max_header_bytes", \.limits.maxHeaderBytes, 1...1 << 20,
      "Largest request line and header fields together (431; 414 for the line alone)."),
    .integer(
      "limits.timeout_seconds", \.limits.timeoutSeconds, 1...86_400,
      "Idle keep-alive time, and the longest a reply may take to be written."),
    .integer(
      "limits.request_timeout_seconds", \.limits.requestTimeoutSeconds, 1...86_400,
      "From a request's first byte until it has all arrived (408, then disconnect)."),
    .integer(
      "limits.max_connections", \.limits.maxConnections, 1...1_000_000,
      "Open client connections; at the limit the server stops accepting until one closes."),
    .integer(
      "limits.max_inflight_body_bytes", \.limits.maxInflightBodyBytes, 1...1 << 40,
      "Body bytes all connections may hold at once (≥ `limits.max_body_bytes`; beyond: 503)."),
    .integer(
      "limits.shutdown_timeout_seconds", \.limits.shutdownTimeoutSeconds, 1...86_400,
      "On SIGINT/SIGTERM, how long in-flight requests may take to finish."),
    .choice(
      "storage.fsync", \.storage.fsync,
      "fsync before each acknowledgement (shared), within `storage.batch_ms`, or never."),
    .integer(
      "storage.batch_ms", \.storage.batchMilliseconds, 0...10_000,
      "Under `\"batch\"`, the longest a write waits for its group fsync."),
    .number(
      "storage.compaction_factor", \.storage.compactionFactor, greaterThan: 1,
      "Compact when the log is this many times the size of a fresh snapshot."),
    .integer(
      "storage.compaction_min_bytes", \.storage.compactionMinBytes, 1...1 << 50,
      "Never compact a log smaller than this."),
    .choice(
      "storage.backend", \.storage.backend,
      "The event log in `data_dir`, or a PostgreSQL database at `storage.postgres_url`."),
    .formatted(
      "storage.postgres_url", \.storage.postgresURL,
      example: "postgres://storefront@localhost/storefront",
      "a PostgreSQL connection URL, or \"\"", parse: { $0 },
      "Required by `\"postgres\"` (`postgres://user:password@host:5432/db`); never logged."),
    .integer(
      "auth.pbkdf2_iterations", \.auth.pbkdf2Iterations, 1...10_000_000,
      "PBKDF2-HMAC-SHA256 iterations of new password hashes (old hashes keep theirs)."),
    .integer(
      "auth.token_ttl_seconds", \.auth.tokenTTLSeconds, 0...3_153_600_000, note: "0 = no expiry",
      "Token lifetime."),
    .integer(
      "auth.max_tokens_per_user", \.auth.maxTokensPerUser, 1...1_000_000,
      "Live tokens per user; issuing one more revokes the oldest."),
    .integer(
      "auth.hash_threads", \.auth.hashThreads, 0...256, note: "0 = one per core",
      "Threads that hash passwords."),
    .integer(
      "auth.max_pending_hashes", \.auth.maxPendingHashes, 1...100_000,
      "Password hashes that may wait for a thread; beyond, register and login answer 503."),
    .rate("throttle.anon", \.throttle.anon, "Per client address, `register` and `login` together."),
    .rate("throttle.user", \.throttle.user, "Per authenticated user, every request with a token."),
    .formatted(
      "throttle.trusted_proxies", \.throttle.trustedProxies, example: "127.0.0.1,::1",
      "comma-separated IP addresses (at most \(StorefrontConfig.Throttle.maxProxies)), or \"\" for none",
      parse: StorefrontConfig.Throttle.parseProxies, show: { $0.joined(separator: ",") },
      "Reverse proxies whose `X-Forwarded-For` is believed."),
    .formatted(
      "metrics.path", \.metrics.path, example: "/internal/metrics",
      "a path starting with \"/\" (at most 256 printable ASCII bytes, no spaces, \"?\" or "
        + "\"#\", outside /api/), or \"\" to turn metrics off",
      parse: { StorefrontConfig.Metrics.isValidPath($0) ? $0 : nil },
      "Where `GET` answers Prometheus text format; `\"\"`: nothing is counted."),
    .formatted(
      "metrics.listen", \.metrics.listen, example: "127.0.0.1:9100",
      "\"HOST:PORT\" with an IP address (IPv6 in brackets) and a port from 0 to 65535, or \"\"",
      parse: StorefrontConfig.Metrics.canonicalListen,
      "`\"\"`: on the API's port; `\"HOST:PORT\"`: on a listener of its own."),
    .integer(
      "api.max_page_size", \.api.maxPageSize, 1...10_000,
      "Largest `limit` of a paginated list; a larger one is cut to it."),
    .integer(
      "api.idempotency_ttl_seconds", \.api.idempotencyTTLSeconds, 1...31_536_000,
      "How long a `POST /orders/` answer is replayed for its `Idempotency-Key`."),
  ]

  /// The setting for a dotted key path.
  static func named(_ path: String) -> ConfigurationSetting? {
    all.first { $0.path == path }
  }

  /// The key paths that name sections (JSON objects), e.g. `limits`.
  static let sections = Set(
    all.compactMap { $0.path.split(separator: ".").dropLast().first.map(String.init) })

  /// The `## Keys` table of config/README.md: each key, its default as JSON, what it accepts
  /// (as error messages say it), its meaning.
  static var markdownTable: String {
    "| key | default | accepts | meaning |\n| --- | --- | --- | --- |\n"
      + all.map { setting in
        let accepts = setting.expectation.replacingOccurrences(of: "|", with: "\\|")
        return
          "| `\(setting.path)` | `\(setting.read(StorefrontConfig()).jsonText)` | \(accepts) | \(setting.doc) |\n"
      }.joined()
  }
}
