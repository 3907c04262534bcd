import Primitives

/// The encoded `GET /orders/` body of each customer who listed their orders since their last
/// change: readable from any thread under a short lock (no actor hop), so an event loop can
/// answer a customer's unfiltered list at once.
///
/// ``OrderService`` stores a body when it renders one and drops a customer's body before any
/// change to their orders is acknowledged, so a stored body is always the one it would render
/// now. Bodies above ``maxBodyBytes`` are not kept (they are rendered off the loop), and the
/// total is bounded: past ``maxTotalBytes`` every body is dropped.
///
/// ```swift
/// if let body = orders.listBodies.body(ofUser: caller.id) { reply(200, body) }
/// ```
public final class OrderListBodies: Sendable {
  /// The largest body kept: 64 KiB, about 200 orders.
  public static let maxBodyBytes = 64 * 1024
  /// The bytes kept for all customers together.
  public static let maxTotalBytes = 32 * 1024 * 1024

  private struct Bodies {
    var byUser: [Int: [UInt8]] = [:]
    var totalBytes = 0
  }

  private let bodies = Locked(Bodies())

  init() {}

  /// The stored body of `userId`'s orders (a customer's, never staff's), or nil.
  public func body(ofUser userId: Int) -> [UInt8]? {
    bodies.withLock { $0.byUser[userId] }
  }

  /// Keeps `body` as `userId`'s list (called by the service that rendered it).
  func store(_ body: [UInt8], ofUser userId: Int) {
    guard body.count <= Self.maxBodyBytes else { return }
    bodies.withLock { bodies in
      if let old = bodies.byUser[userId] { bodies.totalBytes -= old.count }
      if bodies.totalBytes + body.count > Self.maxTotalBytes {
        bodies.byUser = [:]
        bodies.totalBytes = 0
      }
      bodies.byUser[userId] = body
      bodies.totalBytes += body.count
    }
  }

  /// Drops `userId`'s body (their orders are about to change).
  func drop(ofUser userId: Int) {
    bodies.withLock { bodies in
      if let old = bodies.byUser.removeValue(forKey: userId) { bodies.totalBytes -= old.count }
    }
  }
}
