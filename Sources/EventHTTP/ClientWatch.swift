import Synchronization

/// Whether the client of a request is still connected, for work that is worth skipping once
/// nobody waits for its answer (a queued password hash, say).
///
/// Set by the request's loop when the connection closes (the client's FIN or reset is seen
/// while the request is being answered, as nginx does); read from any thread.
///
/// ```swift
/// return .watched { watch in
///   guard !watch.isGone else { return HTTPResponse(status: 499) }  // never sent
///   ...
/// }
/// ```
public final class ClientWatch: Sendable {
  private let gone = Atomic<Bool>(false)

  public init() {}

  /// Whether the client closed its connection.
  public var isGone: Bool { gone.load(ordering: .acquiring) }

  /// Records that the client went away.
  public func markGone() { gone.store(true, ordering: .releasing) }
}
