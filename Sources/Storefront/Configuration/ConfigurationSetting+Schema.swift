import JSON
import Logging

/// The schema: every key Storefront knows, in the order of config/storefront.json, with the
/// meaning config/README.md's table gives it (``markdownTable``).
extension ConfigurationSetting {
  static let all: [ConfigurationSetting] = [
    .text(
      "host", \.host,
      doc: """
        Address to listen on; `"0.0.0.0"` for every interface.
        """),
    .integer(
      "port", 0...65_535, "an integer from 0 to 65535", \.port,
      doc: """
        TCP port, 0-65535; `0` picks a free port (logged at startup).
        """),
    .integer(
      "workers", 0...256, "an integer from 0 to 256 (0 = one per core)", \.workers,
      doc: """
        Event loops, each on its own thread, 0-256; `0` = one per core.
        """),
    .text(
      "data_dir", \.dataDir,
      doc: """
        Directory of the event log (locked by the running server).
        """),
    .choice(
      "accept", \.accept,
      doc: """
        How the loops share the port: `"reuseport"` (one `SO_REUSEPORT` socket per loop, the \
        kernel spreads connections) or `"shared"` (one socket, every loop accepts on it).
        """),
    .choice(
      "log.level", \.log.level,
      doc: """
        Minimum log level: `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
        """),
    .choice(
      "log.access_level", \.log.accessLevel,
      doc: """
        Level of the one access line per request (method, path, status, bytes, microseconds); \
        set `"debug"` to hide them at `log.level` `info`.
        """),
    .choice(
      "log.format", \.log.format,
      doc: """
        `"text"`: lines as swift-log's `StreamLogHandler` writes them (`<timestamp> <level> \
        <label>: [<source>] <message>`); `"json"`: one JSON object per line, access lines \
        (`timestamp`, `level`, `label`, `source`, `method`, `path`, `status`, `bytes`, \
        `microseconds`, `loop`, `request_id`) and every other line (`timestamp`, `level`, \
        `label`, `source`, `message`, plus its metadata as strings).
        """),
    .positive(
      "limits.max_body_bytes", upTo: 1 << 30, \.limits.maxBodyBytes,
      doc: """
        Largest request body, up to 1 GiB; a larger one gets 413 before it is read.
        """),
    .positive(
      "limits.max_header_bytes", upTo: 1 << 20, \.limits.maxHeaderBytes,
      doc: """
        Largest request line and header fields together, up to 1 MiB; beyond it 431 (414 for the \
        request line alone).
        """),
    .positive(
      "limits.timeout_seconds", upTo: 86_400, \.limits.timeoutSeconds,
      doc: """
        How long an idle keep-alive connection stays open, and how long a reply may take to be \
        written (up to 86400).
        """),
    .positive(
      "limits.request_timeout_seconds", upTo: 86_400, \.limits.requestTimeoutSeconds,
      doc: """
        From a request's first byte until it has fully arrived (head and body, up to 86400): a \
        slower client gets 408 and is disconnected.
        """),
    .positive(
      "limits.max_connections", upTo: 1_000_000, \.limits.maxConnections,
      doc: """
        Most open client connections, counted at accept (up to 1000000); at the limit the server \
        stops accepting until one closes.
        """),
    .positive(
      "limits.max_inflight_body_bytes", upTo: 1 << 40, \.limits.maxInflightBodyBytes,
      doc: """
        Request body bytes all connections may hold at once, being received or answered (64 MiB; \
        at least `limits.max_body_bytes`); a body beyond it gets 503 with `Retry-After: 1`.
        """),
    .positive(
      "limits.shutdown_timeout_seconds", upTo: 86_400, \.limits.shutdownTimeoutSeconds,
      doc: """
        On SIGINT/SIGTERM, how long in-flight requests may take to finish (up to 86400).
        """),
    .choice(
      "storage.fsync", \.storage.fsync,
      doc: """
        When a write is durable before it is acknowledged: `"always"` (fsync every write; \
        concurrent writers share one), `"batch"` (fsync within `storage.batch_ms`), `"never"` \
        (leave it to the OS; a crash can lose acknowledged writes).
        """),
    .integer(
      "storage.batch_ms", 0...10_000, "an integer from 0 to 10000", \.storage.batchMilliseconds,
      doc: """
        Under `"batch"`, the longest a write waits for its group fsync, 0-10000.
        """),
    .number(
      "storage.compaction_factor", greaterThan: 1, \.storage.compactionFactor,
      doc: """
        Compact when the log is this many times the size of a fresh snapshot; must be > 1.
        """),
    .positive(
      "storage.compaction_min_bytes", upTo: 1 << 50, \.storage.compactionMinBytes,
      doc: """
        Never compact a log smaller than this (64 MiB; up to 2^50).
        """),
    .choice(
      "storage.backend", \.storage.backend,
      doc: """
        Where the event log lives: `"file"` (`data_dir`'s `events.jsonl`, one node) or \
        `"postgres"` (one table in `storage.postgres_url`, shared by every node).
        """),
    .string(
      "storage.postgres_url", .formatted(example: "postgresql://storefront@db:5432/shop"),
      "a libpq connection URL or \"\"", \.storage.postgresURL, parse: { $0 }, show: { $0 },
      doc: """
        libpq connection URL of the shared log under `"postgres"` (e.g. \
        `"postgresql://storefront@db:5432/shop"`); `""` under `"file"`.
        """),
    .positive(
      "auth.pbkdf2_iterations", upTo: 10_000_000, \.auth.pbkdf2Iterations,
      doc: """
        PBKDF2-HMAC-SHA256 iterations for new password hashes, up to 10000000 (existing hashes \
        keep their own count).
        """),
    .integer(
      "auth.token_ttl_seconds", 0...3_153_600_000,
      "an integer from 0 to 3153600000 (0 = no expiry)", \.auth.tokenTTLSeconds,
      doc: """
        Token lifetime, up to 3153600000 (100 years); `0` = tokens never expire.
        """),
    .positive(
      "auth.max_tokens_per_user", upTo: 1_000_000, \.auth.maxTokensPerUser,
      doc: """
        Live tokens per user (up to 1000000); issuing one more revokes the oldest.
        """),
    .integer(
      "auth.hash_threads", 0...256, "an integer from 0 to 256 (0 = one per core)",
      \.auth.hashThreads,
      doc: """
        Threads that hash passwords, 0-256; `0` = one per core.
        """),
    .positive(
      "auth.max_pending_hashes", upTo: 100_000, \.auth.maxPendingHashes,
      doc: """
        Password hashes (one per register or login) that may wait for a hashing thread, up to \
        100000; beyond it register and login answer 503 `{"detail": "Too many logins in \
        progress; try again shortly."}` with `Retry-After: 1` at once. A hash at the default \
        1000000 iterations takes about 0.5 s of a core, so on 2 cores the 64th waiting login is \
        answered after about 16 s: well inside common 30 s client timeouts, while a burst of a \
        few dozen simultaneous logins (say after a restart) is still served without refusals. \
        With more `auth.hash_threads` or fewer iterations, a larger value gives the same longest \
        wait. A waiting hash whose client disconnects is dropped before it runs (no user, no \
        token).
        """),
    .rate(
      "throttle.anon", \.throttle.anon,
      doc: """
        Requests per client address to `register` and `login` together, as DRF writes rates: \
        `"N/second"`, `"N/minute"`, `"N/hour"`, `"N/day"` (only the period's first letter \
        counts, so `"20/m"` = `"20/minute"`; N from 1 to 100000); `""` = no limit. Over it: 429 \
        `{"detail": "Request was throttled. Expected available in N seconds."}` with \
        `Retry-After: N` (`1 second.` when N is 1, as DRF words it).
        """),
    .rate(
      "throttle.user", \.throttle.user,
      doc: """
        Requests per authenticated user, on every request made with a valid token; same format; \
        `""` = no limit.
        """),
    .string(
      "throttle.trusted_proxies", .formatted(example: "127.0.0.1,::1"),
      "comma-separated IP addresses (at most \(StorefrontConfig.Throttle.maxProxies)), or \"\" for none",
      \.throttle.trustedProxies, parse: StorefrontConfig.Throttle.parseProxies,
      show: { $0.joined(separator: ",") },
      doc: """
        Comma-separated IP addresses of reverse proxies (e.g. `"127.0.0.1, ::1"`), at most 1024; \
        `""` = none. For a request from one of them the client address is the right-most \
        `X-Forwarded-For` entry that is not itself listed (the left-most entry when all are); \
        from any other peer `X-Forwarded-For` is ignored.
        """),
    .string(
      "metrics.path", .formatted(example: "/internal/metrics"),
      "a path starting with \"/\" (at most 256 printable ASCII bytes, no spaces, \"?\" or "
        + "\"#\", outside /api/), or \"\" to turn metrics off", \.metrics.path,
      parse: { StorefrontConfig.Metrics.isValidPath($0) ? $0 : nil }, show: { $0 },
      doc: """
        Where `GET` answers Prometheus text format (outside `/api/`: a path starting with `/`, \
        at most 256 printable ASCII bytes without spaces, `?` or `#`); `""` turns metrics off, \
        and nothing is counted. See the README's "Running in production" for the metric names.
        """),
    .string(
      "metrics.listen", .formatted(example: "127.0.0.1:9100"),
      "\"HOST:PORT\" with an IP address (IPv6 in brackets) and a port from 0 to 65535, or \"\"",
      \.metrics.listen, parse: StorefrontConfig.Metrics.canonicalListen, show: { $0 },
      doc: """
        `""` serves `metrics.path` on the API's own port; `"HOST:PORT"` (an IP address, IPv6 in \
        brackets, port 0-65535) serves it on a listener of its own (one loop, only that path), \
        e.g. `"127.0.0.1:9100"` to keep it off a public address.
        """),
    .positive(
      "api.max_page_size", upTo: 10_000, \.api.maxPageSize,
      doc: """
        The largest `limit` of a paginated list (`?limit=&offset=`, as DRF's \
        `LimitOffsetPagination`), up to 10000; a larger `limit` is cut to it.
        """),
    .positive(
      "api.idempotency_ttl_seconds", upTo: 31_536_000, \.api.idempotencyTTLSeconds,
      doc: """
        How long the answer to a `POST /orders/` with an `Idempotency-Key` is replayed (1 to \
        31536000, a year); an older key runs as new. Records live in the event log until they \
        expire, and compaction drops expired ones.
        """),
  ]

  /// The setting for a dotted key path.
  static func named(_ path: String) -> ConfigurationSetting? {
    all.first { $0.path == path }
  }

  /// The key paths that name sections (JSON objects), e.g. `limits`.
  static let sections: Set<String> = Set(
    all.compactMap { setting in
      setting.path.lastIndex(of: ".").map { String(setting.path[..<$0]) }
    })

  /// A ``ThrottleRate`` such as `"20/minute"`, or `""` for none.
  static func rate(
    _ path: String, _ field: WritableKeyPath<StorefrontConfig, ThrottleRate?> & Sendable,
    doc: String
  ) -> ConfigurationSetting {
    string(
      path, .formatted(example: "20/minute"),
      "a rate like \"20/minute\" (N per second, minute, hour or day; N from 1 to "
        + "\(ThrottleRate.maxRequests)), or \"\" for none", field,
      parse: { $0.isEmpty ? .some(nil) : ThrottleRate($0).map(Optional.some) },
      show: { $0?.description ?? "" }, doc: doc)
  }

  /// The `## Keys` table of config/README.md: each key, its default as JSON, its meaning.
  static var markdownTable: String {
    let defaults = StorefrontConfig()
    let rows = all.map { setting in
      let value =
        switch setting.read(defaults) {
        case .integer(let integer): String(integer)
        case .number(let number): String(number)
        case .text(let text): JSONValue.quoted(text)
        }
      return "| `\(setting.path)` | `\(value)` | \(setting.doc) |\n"
    }
    return "| key | default | meaning |\n| --- | --- | --- |\n" + rows.joined()
  }
}
