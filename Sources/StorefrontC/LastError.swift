#if canImport(Glibc)
  import Glibc
#endif

/// The calling thread's last C API outcome, as `errno` is: each thread sees only its own calls.
enum LastError {
  /// One thread's record; reachable only from its own thread through the pthread key.
  private final class Slot {
    var status: StorefrontStatus = .ok
    var message = ""
  }

  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    let created = pthread_key_create(&key) { slot in
      if let slot { Unmanaged<AnyObject>.fromOpaque(slot).release() }
    }
    precondition(created == 0, "pthread_key_create failed: out of thread-specific keys")
    return key
  }()

  private static var slot: Slot {
    if let raw = pthread_getspecific(key) {
      return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue()
    }
    let slot = Slot()
    pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
    return slot
  }

  /// Records a success (code 0, empty message).
  static func clear() { record(.ok, "") }

  /// Records `error` and returns its code for the C caller.
  static func fail(_ error: CAPIError) -> Int32 {
    record(error.status, error.message)
    return error.status.rawValue
  }

  static func record(_ status: StorefrontStatus, _ message: String) {
    let slot = slot
    slot.status = status
    slot.message = message
  }

  /// The last code and message on this thread.
  static var current: (status: StorefrontStatus, message: String) {
    let slot = slot
    return (slot.status, slot.message)
  }
}
