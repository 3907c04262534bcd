import JSON

/// The schema: every key Storefront knows, in the order of config/storefront.json, with the
/// meaning config/README.md's table gives it (``markdownTable``).
extension ConfigurationSetting {
  static let all: [ConfigurationSetting] = [
    .text(
      "host", \.host,
      "Address to listen on; `\"0.0.0.0\"` for every interface."),
    .integer(
      "port", \.port, 0...65_535,
      "TCP port, 0-65535; `0` picks a free port (logged at startup)."),
    .integer(
      "workers", \.workers, 0...256, note: "0 = one per core",
      "Event loops, each on its own thread, 0-256; `0` = one per core."),
    .text(
      "data_dir", \.dataDir,
      "Directory of the event log (locked by the running server)."),
    .choice(
      "accept", \.accept,
      """
      How the loops share the port: `"reuseport"` (one `SO_REUSEPORT` socket per loop, the kernel \
      spreads connections) or `"shared"` (one socket, every loop accepts on it).
      """),
    .choice(
      "log.level", \.log.level,
      "Minimum log level: `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`."),
    .choice(
      "log.access_level", \.log.accessLevel,
      """
      Level of the one access line per request (method, path, status, bytes, microseconds); set \
      `"debug"` to hide them at `log.level` `info`.
      """),
    .choice(
      "log.format", \.log.format,
      """
      `"text"`: lines as swift-log's `StreamLogHandler` writes them; `"json"`: one JSON object per \
      line (fields below).
      """),
    .integer(
      "limits.max_body_bytes", \.limits.maxBodyBytes, 1...1 << 30,
      "Largest request body, up to 1 GiB; a larger one gets 413 before it is read."),
    .integer(
      "limits.max_header_bytes", \.limits.maxHeaderBytes, 1...1 << 20,
      """
      Largest request line and header fields together, up to 1 MiB; beyond it 431 (414 for the \
      request line alone).
      """),
    .integer(
      "limits.timeout_seconds", \.limits.timeoutSeconds, 1...86_400,
      """
      How long an idle keep-alive connection stays open, and how long a reply may take to be \
      written (up to 86400).
      """),
    .integer(
      "limits.request_timeout_seconds", \.limits.requestTimeoutSeconds, 1...86_400,
      """
      From a request's first byte until it has fully arrived (head and body, up to 86400): a \
      slower client gets 408 and is disconnected.
      """),
    .integer(
      "limits.max_connections", \.limits.maxConnections, 1...1_000_000,
      """
      Most open client connections, counted at accept (up to 1000000); at the limit the server \
      stops accepting until one closes.
      """),
    .integer(
      "limits.max_inflight_body_bytes", \.limits.maxInflightBodyBytes, 1...1 << 40,
      """
      Request body bytes all connections may hold at once, being received or answered (64 MiB; at \
      least `limits.max_body_bytes`); a body beyond it gets 503 with `Retry-After: 1`.
      """),
    .integer(
      "limits.shutdown_timeout_seconds", \.limits.shutdownTimeoutSeconds, 1...86_400,
      "On SIGINT/SIGTERM, how long in-flight requests may take to finish (up to 86400)."),
    .choice(
      "storage.fsync", \.storage.fsync,
      """
      When a write is durable before it is acknowledged: `"always"` (fsync every write; \
      concurrent writers share one), `"batch"` (fsync within `storage.batch_ms`), `"never"` \
      (leave it to the OS; a crash can lose acknowledged writes).
      """),
    .integer(
      "storage.batch_ms", \.storage.batchMilliseconds, 0...10_000,
      "Under `\"batch\"`, the longest a write waits for its group fsync, 0-10000."),
    .number(
      "storage.compaction_factor", \.storage.compactionFactor, greaterThan: 1,
      "Compact when the log is this many times the size of a fresh snapshot; must be > 1."),
    .integer(
      "storage.compaction_min_bytes", \.storage.compactionMinBytes, 1...1 << 50,
      "Never compact a log smaller than this (64 MiB; up to 2^50)."),
    .choice(
      "storage.backend", \.storage.backend,
      """
      Where the shop's events are kept: `"file"` (the append-only event log in `data_dir`) or \
      `"postgres"` (a PostgreSQL database at `storage.postgres_url`).
      """),
    .string(
      "storage.postgres_url", \.storage.postgresURL,
      .formatted(example: "postgres://storefront@localhost/storefront"),
      "a PostgreSQL connection URL, or \"\"", parse: { $0 }, show: { $0 },
      """
      The PostgreSQL connection URL (`postgres://user:password@host:5432/db`) under \
      `storage.backend` `"postgres"`, where it must be set; ignored otherwise. It may hold a \
      password: never logged.
      """),
    .integer(
      "auth.pbkdf2_iterations", \.auth.pbkdf2Iterations, 1...10_000_000,
      """
      PBKDF2-HMAC-SHA256 iterations for new password hashes, up to 10000000 (existing hashes keep \
      their own count).
      """),
    .integer(
      "auth.token_ttl_seconds", \.auth.tokenTTLSeconds, 0...3_153_600_000, note: "0 = no expiry",
      "Token lifetime, up to 3153600000 (100 years); `0` = tokens never expire."),
    .integer(
      "auth.max_tokens_per_user", \.auth.maxTokensPerUser, 1...1_000_000,
      "Live tokens per user (up to 1000000); issuing one more revokes the oldest."),
    .integer(
      "auth.hash_threads", \.auth.hashThreads, 0...256, note: "0 = one per core",
      "Threads that hash passwords, 0-256; `0` = one per core."),
    .integer(
      "auth.max_pending_hashes", \.auth.maxPendingHashes, 1...100_000,
      """
      Password hashes (one per register or login) that may wait for a hashing thread, up to \
      100000; beyond it register and login answer 503 at once (see below).
      """),
    .rate(
      "throttle.anon", \.throttle.anon,
      """
      Requests per client address to `register` and `login` together, as DRF writes rates \
      (`"20/minute"`, see below); `""` = no limit.
      """),
    .rate(
      "throttle.user", \.throttle.user,
      """
      Requests per authenticated user, on every request made with a valid token; same format; \
      `""` = no limit.
      """),
    .string(
      "throttle.trusted_proxies", \.throttle.trustedProxies, .formatted(example: "127.0.0.1,::1"),
      "comma-separated IP addresses (at most \(StorefrontConfig.Throttle.maxProxies)), or \"\" for none",
      parse: StorefrontConfig.Throttle.parseProxies, show: { $0.joined(separator: ",") },
      """
      Comma-separated IP addresses of reverse proxies (e.g. `"127.0.0.1, ::1"`), at most 1024; \
      `""` = none. For a request from one of them the client address is the right-most \
      `X-Forwarded-For` entry that is not itself listed (the left-most entry when all are); from \
      any other peer `X-Forwarded-For` is ignored.
      """),
    .string(
      "metrics.path", \.metrics.path, .formatted(example: "/internal/metrics"),
      "a path starting with \"/\" (at most 256 printable ASCII bytes, no spaces, \"?\" or "
        + "\"#\", outside /api/), or \"\" to turn metrics off",
      parse: { StorefrontConfig.Metrics.isValidPath($0) ? $0 : nil }, show: { $0 },
      """
      Where `GET` answers Prometheus text format (outside `/api/`: a path starting with `/`, at \
      most 256 printable ASCII bytes without spaces, `?` or `#`); `""` turns metrics off, and \
      nothing is counted. See the README's "Running in production" for the metric names.
      """),
    .string(
      "metrics.listen", \.metrics.listen, .formatted(example: "127.0.0.1:9100"),
      "\"HOST:PORT\" with an IP address (IPv6 in brackets) and a port from 0 to 65535, or \"\"",
      parse: StorefrontConfig.Metrics.canonicalListen, show: { $0 },
      """
      `""` serves `metrics.path` on the API's own port; `"HOST:PORT"` (an IP address, IPv6 in \
      brackets, port 0-65535) serves it on a listener of its own (one loop, only that path), e.g. \
      `"127.0.0.1:9100"` to keep it off a public address.
      """),
    .integer(
      "api.max_page_size", \.api.maxPageSize, 1...10_000,
      """
      The largest `limit` of a paginated list (`?limit=&offset=`, as DRF's \
      `LimitOffsetPagination`), up to 10000; a larger `limit` is cut to it.
      """),
    .integer(
      "api.idempotency_ttl_seconds", \.api.idempotencyTTLSeconds, 1...31_536_000,
      """
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
  static let sections = Set(
    all.compactMap { $0.path.split(separator: ".").dropLast().first.map(String.init) })

  /// The `## Keys` table of config/README.md: each key, its default as JSON, its meaning.
  static var markdownTable: String {
    "| key | default | meaning |\n| --- | --- | --- |\n"
      + all.map { "| `\($0.path)` | `\($0.read(StorefrontConfig()).jsonText)` | \($0.doc) |\n" }
      .joined()
  }
}
