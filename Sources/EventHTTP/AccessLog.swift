import Foundation
import Synchronization

/// The access log of one server: one line per answered request, formatted on the loop thread
/// into that loop's ring (no allocation, no lock) and written by an ``AccessLogWriter``.
///
/// A line that does not fit in its loop's ring is dropped and counted (``droppedLines``),
/// never waited for. Create one only when access lines are wanted: a server without one
/// builds nothing per request.
///
/// ```swift
/// let log = AccessLog(writer: writer, loops: 2, format: AccessLogFormat(
///   level: "info", label: "storefront", source: "Storefront"))
/// let server = try HTTPServer(options: options, responder: app, observer: log)
/// ```
public final class AccessLog: Sendable {
  public let writer: AccessLogWriter
  public let format: AccessLogFormat
  /// Whether the writer reports drops as warning lines (`false` when warnings are not logged).
  public let reportsDrops: Bool
  let rings: [AccessLogRing]
  private let lines: [AccessLogLine]
  /// Bytes waiting in a ring at which its loop wakes the writer.
  let wakeMark: Int
  let dropped = Atomic<Int>(0)
  /// Drops already reported; written by the writer thread only.
  let reportedDrops = Atomic<Int>(0)

  /// Creates the rings for loops `0..<loops` and registers with `writer`.
  ///
  /// - Parameter bufferBytes: each loop's ring (rounded up to a power of two). The loop wakes
  ///   the writer when an eighth of it is waiting.
  public init(
    writer: AccessLogWriter, loops: Int, format: AccessLogFormat, bufferBytes: Int = 256 << 10,
    reportsDrops: Bool = true
  ) {
    self.writer = writer
    self.format = format
    self.reportsDrops = reportsDrops
    let rings = (0..<max(1, loops)).map { _ in AccessLogRing(minimumCapacity: bufferBytes) }
    self.rings = rings
    lines = rings.map { _ in AccessLogLine(format: format) }
    wakeMark = rings[0].capacity / 8
    writer.register(self)
  }

  /// Lines dropped so far because their loop's ring was full.
  public var droppedLines: Int { dropped.load(ordering: .relaxed) }

  /// Records one answered request. Call only on the thread of loop `loop` (each loop's ring has
  /// that one producer); `path` is the path without the query string.
  public func record(
    method: HTTPMethod, path: String, status: Int, bodyBytes: Int, microseconds: Int, loop: Int,
    requestID: RequestID
  ) {
    guard loop >= 0, loop < rings.count else {
      dropped.add(1, ordering: .relaxed)
      return
    }
    let ring = rings[loop]
    let line = lines[loop].build(
      method: method, path: path, status: status, bodyBytes: bodyBytes,
      microseconds: microseconds, loop: loop, requestID: requestID,
      seconds: AccessLogTimestamp.nowSeconds(),
      utcOffset: writer.utcOffset.load(ordering: .relaxed))
    guard let waiting = ring.append(line) else {
      dropped.add(1, ordering: .relaxed)
      return
    }
    // The exchange is sequentially consistent and follows the ring's head store: either the
    // writer's clear came first (we see `false` and ring) or its later look sees this line.
    if waiting >= wakeMark, !ring.wakeRequested.exchange(true, ordering: .sequentiallyConsistent) {
      writer.wakeUp()
    }
  }

  /// Waits until every line recorded before the call is written (at most `timeout`; `false`
  /// when the output blocked), then detaches from the writer. Call after the loops stopped.
  @discardableResult
  public func close(timeout: Duration) async -> Bool {
    let flushed = await writer.flush(timeout: timeout)
    writer.unregister(self)
    return flushed
  }

  /// Like ``close(timeout:)``, blocking the calling thread (for C hosts' threads).
  @discardableResult
  public func closeBlocking(timeout: Duration) -> Bool {
    let flushed = writer.flushBlocking(timeout: timeout)
    writer.unregister(self)
    return flushed
  }
}
