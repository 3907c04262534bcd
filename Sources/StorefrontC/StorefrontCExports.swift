/// The C API declared in `include/storefront.h`: argument checks and error translation around
/// ``EmbeddedStorefront``. See the header for each function's contract and threading rules.

/// The version `storefront_version` reports.
let storefrontVersion: StaticString = "0.1.0"

@_cdecl("storefront_version")
public func storefront_version() -> UnsafePointer<CChar> {
  UnsafeRawPointer(storefrontVersion.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("storefront_strerror")
public func storefront_strerror(_ code: Int32) -> UnsafePointer<CChar> {
  let summary = StorefrontStatus(rawValue: code)?.summary ?? "unknown storefront status code"
  return UnsafeRawPointer(summary.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("storefront_last_error")
public func storefront_last_error(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int32
{
  let (status, message) = LastError.current
  copyCString(message, into: buffer, capacity: capacity)
  return status.rawValue
}

@_cdecl("storefront_open")
public func storefront_open(
  _ configPath: UnsafePointer<CChar>?, _ dataDir: UnsafePointer<CChar>?,
  _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int
) -> OpaquePointer? {
  do {
    let handle = try EmbeddedStorefront.open(
      configPath: configPath.map { String(cString: $0) },
      dataDir: dataDir.map { String(cString: $0) })
    LastError.clear()
    copyCString("", into: errorBuffer, capacity: errorCapacity)
    return handle.retainedPointer()
  } catch {
    _ = LastError.fail(error)
    copyCString(error.message, into: errorBuffer, capacity: errorCapacity)
    return nil
  }
}

@_cdecl("storefront_attach")
public func storefront_attach(
  _ handle: OpaquePointer?, _ base: OpaquePointer?, _ http: OpaquePointer?,
  _ prefix: UnsafePointer<CChar>?
) -> Int32 {
  call("storefront_attach", handle) { storefront throws(CAPIError) in
    guard let base else { throw nullArgument("storefront_attach", "base (struct event_base *)") }
    guard let http else { throw nullArgument("storefront_attach", "http (struct evhttp *)") }
    guard let prefix else { throw nullArgument("storefront_attach", "prefix") }
    try storefront.attach(base: base, http: http, prefix: String(cString: prefix))
  }
}

@_cdecl("storefront_detach")
public func storefront_detach(
  _ handle: OpaquePointer?,
  _ callback: (@convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void)?,
  _ argument: UnsafeMutableRawPointer?
) -> Int32 {
  call("storefront_detach", handle) { storefront throws(CAPIError) in
    try storefront.detach(pointer: handle!, callback: callback, argument: argument)
  }
}

@_cdecl("storefront_serve")
public func storefront_serve(_ handle: OpaquePointer?) -> Int32 {
  call("storefront_serve", handle) { storefront throws(CAPIError) in try storefront.serve() }
}

@_cdecl("storefront_stop")
public func storefront_stop(_ handle: OpaquePointer?) -> Int32 {
  guard let handle else { return LastError.fail(nullArgument("storefront_stop", "handle")) }
  // Async-signal-safe path: no retain, no allocation, no thread-local access; one write(2).
  Unmanaged<EmbeddedStorefront>.fromOpaque(UnsafeRawPointer(handle))
    ._withUnsafeGuaranteedRef { $0.stop() }
  return 0
}

@_cdecl("storefront_close")
public func storefront_close(_ handle: OpaquePointer?) -> Int32 {
  guard let handle else { return LastError.fail(nullArgument("storefront_close", "handle")) }
  let storefront = EmbeddedStorefront.borrow(handle)
  do {
    try storefront.close()
  } catch {
    // A state error leaves the handle valid; any other failure still closed it.
    if error.status != .state { EmbeddedStorefront.release(handle) }
    return LastError.fail(error)
  }
  EmbeddedStorefront.release(handle)
  LastError.clear()
  return 0
}

/// Runs `body` on the handle behind `handle`, translating errors into the code and last error.
private func call(
  _ function: String, _ handle: OpaquePointer?,
  _ body: (EmbeddedStorefront) throws(CAPIError) -> Void
) -> Int32 {
  guard let handle else { return LastError.fail(nullArgument(function, "handle")) }
  do {
    try body(EmbeddedStorefront.borrow(handle))
  } catch {
    return LastError.fail(error)
  }
  LastError.clear()
  return 0
}

private func nullArgument(_ function: String, _ name: String) -> CAPIError {
  CAPIError(.invalidArgument, "\(function): \(name) is NULL")
}
