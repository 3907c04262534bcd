extension StorefrontConfig {
  /// List pages and safe retries (`api.*`).
  public struct API: Sendable, Equatable {
    /// `api.max_page_size`: the largest `limit` a paginated list answers (a larger one is cut
    /// to it, as DRF's `LimitOffsetPagination.max_limit`).
    public var maxPageSize: Int = 100
    /// `api.idempotency_ttl_seconds`: how long the answer to a `POST /orders/` with an
    /// `Idempotency-Key` is replayed.
    public var idempotencyTTLSeconds: Int = 86_400
  }
}
