import CLibevent

/// Makes libevent thread-aware (`evthread_use_pthreads`) exactly once, before any base exists.
///
/// Every initializer in this module that creates an `event_base` calls ``setUp()``; a C host
/// embedding Storefront calls `evthread_use_pthreads()` itself before creating its base.
public enum LibeventThreading {
  private static let once: Bool = {
    evthread_use_pthreads() == 0
  }()

  /// Calls `evthread_use_pthreads()` the first time; later calls do nothing.
  @discardableResult
  public static func setUp() -> Bool { once }
}
