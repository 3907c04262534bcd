import CoreMetrics
import EventHTTP
import EventLog
import Primitives
import Prometheus
import StorefrontCore

/// One server's metrics: a Prometheus registry fed through swift-metrics (the HTTP layer's and
/// the event log's handles, prefixed `storefront_`), plus values sampled at each scrape.
///
/// Metric names (all `storefront_...`): `http_requests_total{route,method,status}`,
/// `http_request_duration_seconds{route}` (histogram), `http_open_connections{loop}`,
/// `http_requests_in_flight`, `eventlog_appended_events_total`, `eventlog_batch_events`
/// (histogram), `eventlog_fsync_duration_seconds` (histogram), `eventlog_written_bytes_total`,
/// `eventlog_compactions_total{outcome}`, `eventlog_backups_total{outcome}`,
/// `eventlog_replay_duration_seconds`, `eventlog_replayed_records`, `eventlog_writes_stopped`,
/// `password_hash_queue_depth`, `password_hash_rejections_total`,
/// `throttled_requests_total{scope}`, `ready`.
///
/// ```swift
/// let metrics = StorefrontMetrics()
/// let text = String(decoding: metrics.render(), as: UTF8.self)
/// ```
public final class StorefrontMetrics: Sendable {
  /// Every metric's name starts with this.
  public static let namespace = "storefront_"

  let registry: PrometheusCollectorRegistry
  /// The swift-metrics factory whose handles land in ``registry``.
  public let factory: PrometheusMetricsFactory
  private let samplers = Locked<[@Sendable () -> Void]>([])

  public init() {
    let registry = PrometheusCollectorRegistry()
    var factory = PrometheusMetricsFactory(registry: registry)
    let namespace = Self.namespace
    factory.nameAndLabelSanitizer = { name, labels in (namespace + name, labels) }
    factory.durationHistogramBuckets = [
      namespace + "http_request_duration_seconds": HTTPMetrics.durationBuckets,
      namespace + "eventlog_fsync_duration_seconds": EventLogMetricBuckets.fsyncDuration,
    ]
    factory.valueHistogramBuckets = [
      namespace + "eventlog_batch_events": EventLogMetricBuckets.batchEvents
    ]
    self.registry = registry
    self.factory = factory
  }

  /// Runs `sample` before each ``render()`` (to set gauges from live values).
  func addSampler(_ sample: @escaping @Sendable () -> Void) {
    samplers.withLock { $0.append(sample) }
  }

  /// A gauge set at each scrape to `value()`.
  func sampledGauge(
    _ label: String, dimensions: [(String, String)] = [], _ value: @escaping @Sendable () -> Int
  ) {
    let gauge = Gauge(label: label, dimensions: dimensions, factory: factory)
    gauge.record(value())
    addSampler { gauge.record(value()) }
  }

  /// A counter brought up at each scrape to `total()`, a count kept elsewhere that only grows.
  func sampledCounter(
    _ label: String, dimensions: [(String, String)] = [], _ total: @escaping @Sendable () -> Int
  ) {
    let counter = Counter(label: label, dimensions: dimensions, factory: factory)
    let seen = Locked(0)
    let bringUp: @Sendable () -> Void = {
      let now = total()
      let delta = seen.withLock { seen in
        defer { seen = max(seen, now) }
        return max(0, now - seen)
      }
      if delta > 0 { counter.increment(by: delta) }
    }
    bringUp()
    addSampler(bringUp)
  }

  /// The scrape-time values of an open app: password hashing and throttling.
  func sample(app: StorefrontApp, throttle: RequestThrottle) {
    let pool = app.hashingPool
    sampledGauge("password_hash_queue_depth") { pool.pendingJobs }
    sampledCounter("password_hash_rejections_total") { pool.rejectedJobs }
    sampledCounter("throttled_requests_total", dimensions: [("scope", "anon")]) {
      throttle.refusedAnonymousRequests
    }
    sampledCounter("throttled_requests_total", dimensions: [("scope", "user")]) {
      throttle.refusedRequests - throttle.refusedAnonymousRequests
    }
  }

  /// Every metric in Prometheus text format (version 0.0.4), after running the samplers.
  public func render() -> [UInt8] {
    for sample in samplers.withLock({ $0 }) { sample() }
    return registry.emitToBuffer()
  }
}
