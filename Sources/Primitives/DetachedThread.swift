#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Dedicated OS threads (not Swift concurrency pool threads): the event loops, the log's writer
/// and compactions, the hashing pool's workers.
///
/// ```swift
/// DetachedThread.start { writer.run() }
/// ```
public enum DetachedThread {
  /// Starts a detached thread running `body`, with a stack of `stackSize` bytes (nil: the
  /// system's default).
  public static func start(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
    #if canImport(Darwin)
      var thread: pthread_t? = nil
    #else
      var thread = pthread_t()
    #endif
    let result = pthread_create(
      &thread, &attributes,
      { context in
        #if canImport(Darwin)
          Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
        #else
          Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
        #endif
        return nil
      }, context)
    precondition(result == 0, "pthread_create failed: \(result)")
    #if canImport(Darwin)
      pthread_detach(thread!)
    #else
      pthread_detach(thread)
    #endif
  }
}

/// The closure a new thread runs, boxed to cross `pthread_create`. (A file-level class: a local
/// one crashes the compiler under cross-module optimization, "Global is external, but doesn't
/// have external or weak linkage".)
private final class ThreadBody {
  let body: @Sendable () -> Void
  init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
