import JSON

/// What `POST /orders/` with an `Idempotency-Key` answers.
public enum OrderPlacement: Sendable, Equatable {
  /// The order was placed now (201 with `order.json`).
  case placed(Order)
  /// An earlier request with the same key and body was answered so; nothing changed now.
  /// Sent again as it was, with `Idempotent-Replayed: true`.
  case replayed(status: Int, body: JSONValue)
}

/// Safe retries of `POST /orders/` (the IETF `Idempotency-Key` header draft, as Stripe
/// implements it).
///
/// The first request with a key runs normally; its 201 or 400 is written to the log with the
/// key (a 201 in the same batch as its `orderPlaced`, so a crash keeps both or neither). A later
/// request of the same user with the same key and the same body (as parsed JSON) gets that
/// answer again; with another body, 422; while the first is still running, 409. A 5xx is not
/// stored. Records expire `idempotencyTTLSeconds` after they were made.
///
/// ```swift
/// switch try await orders.placeOrder(body, by: caller, idempotencyKey: "order-42") {
/// case .placed(let order): respond(201, order.json)
/// case .replayed(let status, let body): respond(status, body, replayed: true)
/// }
/// ```
extension OrderService {
  /// 422 for a key reused with another body.
  static let keyReused = ShopError.unprocessable(
    detail: "Idempotency-Key was already used with a different request body.")
  /// 409 for a key whose first request is still running.
  static let keyInProgress = ShopError.conflict(
    detail: "A request with this Idempotency-Key is in progress.")

  /// `POST /orders/`, made safe to retry by `idempotencyKey` (nil: an ordinary placement).
  public func placeOrder(
    _ body: JSONValue, by user: User, idempotencyKey: String?
  ) async throws(ShopError) -> OrderPlacement {
    guard let key = idempotencyKey else { return .placed(try await placeOrder(body, by: user)) }
    let digest = IdempotencyRecord.requestDigest(of: body)
    // The key's record is looked up again when the attempt runs again after another node's
    // write (that write may be this key's first request, answered there).
    return try await rerunningOnConflict(sink) { () async throws(ShopError) -> OrderPlacement in
      try await placeOnce(body, digest: digest, by: user, key: key)
    }
  }

  /// One attempt of ``placeOrder(_:by:idempotencyKey:)`` with a key; `digest` is the body's.
  private func placeOnce(
    _ body: JSONValue, digest: String, by user: User, key: String
  ) async throws(ShopError) -> OrderPlacement {
    let scope = IdempotencyState.Scope(userId: user.id, key: key)
    let cutoff = clock().adding(seconds: -idempotencyTTLSeconds)
    idempotency.prune(recordedBefore: cutoff)
    if let record = idempotency.records[scope], record.recordedAt > cutoff {
      guard record.requestDigest == digest else { throw Self.keyReused }
      return .replayed(status: record.status, body: record.response)
    }
    if let running = keysInProgress[scope] {
      throw running == digest ? Self.keyInProgress : Self.keyReused
    }
    keysInProgress[scope] = digest
    defer { keysInProgress[scope] = nil }
    let clock = clock
    do throws(ShopError) {
      let order = try await placeAttempt(
        try OrderLineDraft.parse(body), by: user,
        recording: { order in
          IdempotencyRecord(
            userId: user.id, key: key, requestDigest: digest, status: 201, response: order.json,
            recordedAt: clock())
        })
      return .placed(order)
    } catch {
      guard case .validation(let refusal) = error else { throw error }
      let event = ShopEvent.idempotencyRecorded(
        IdempotencyRecord(
          userId: user.id, key: key, requestDigest: digest, status: 400, response: refusal.body,
          recordedAt: clock()))
      do {
        try await sink.append([event])
      } catch {
        throw .sinkFailure(error)
      }
      idempotency.apply(event)
      throw .validation(refusal)
    }
  }
}
