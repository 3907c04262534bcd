import Logging

/// The schema: every key Storefront knows.
extension ConfigurationSetting {
  /// Every key, in the order of the documented default file.
  static let all: [ConfigurationSetting] = [
    .text("host", \.host),
    .integer("port", 0...65_535, "an integer from 0 to 65535", \.port),
    .integer("workers", 0...256, "an integer from 0 to 256 (0 = one per core)", \.workers),
    .text("data_dir", \.dataDir),
    .choice("accept", \.accept),
    .choice("log.level", \.log.level),
    .choice("log.access_level", \.log.accessLevel),
    .choice("log.format", \.log.format),
    .positive("limits.max_body_bytes", upTo: 1 << 30, \.limits.maxBodyBytes),
    .positive("limits.max_header_bytes", upTo: 1 << 20, \.limits.maxHeaderBytes),
    .positive("limits.timeout_seconds", upTo: 86_400, \.limits.timeoutSeconds),
    .positive("limits.request_timeout_seconds", upTo: 86_400, \.limits.requestTimeoutSeconds),
    .positive("limits.max_connections", upTo: 1_000_000, \.limits.maxConnections),
    .positive("limits.max_inflight_body_bytes", upTo: 1 << 40, \.limits.maxInflightBodyBytes),
    .positive("limits.shutdown_timeout_seconds", upTo: 86_400, \.limits.shutdownTimeoutSeconds),
    .choice("storage.fsync", \.storage.fsync),
    .integer(
      "storage.batch_ms", 0...10_000, "an integer from 0 to 10000", \.storage.batchMilliseconds),
    .number("storage.compaction_factor", greaterThan: 1, \.storage.compactionFactor),
    .positive("storage.compaction_min_bytes", upTo: 1 << 50, \.storage.compactionMinBytes),
    .positive("auth.pbkdf2_iterations", upTo: 10_000_000, \.auth.pbkdf2Iterations),
    .integer(
      "auth.token_ttl_seconds", 0...3_153_600_000,
      "an integer from 0 to 3153600000 (0 = no expiry)", \.auth.tokenTTLSeconds),
    .positive("auth.max_tokens_per_user", upTo: 1_000_000, \.auth.maxTokensPerUser),
    .integer(
      "auth.hash_threads", 0...256, "an integer from 0 to 256 (0 = one per core)",
      \.auth.hashThreads),
    .positive("auth.max_pending_hashes", upTo: 100_000, \.auth.maxPendingHashes),
    .rate("throttle.anon", \.throttle.anon),
    .rate("throttle.user", \.throttle.user),
    .addresses("throttle.trusted_proxies", \.throttle.trustedProxies),
    .metricsPath("metrics.path", \.metrics.path),
    .listenAddress("metrics.listen", \.metrics.listen),
    .positive("api.max_page_size", upTo: 10_000, \.api.maxPageSize),
    .positive("api.idempotency_ttl_seconds", upTo: 31_536_000, \.api.idempotencyTTLSeconds),
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
}
