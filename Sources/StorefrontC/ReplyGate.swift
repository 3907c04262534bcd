import EventHTTP
import Synchronization

/// Keeps request handlers from reaching the host's event loop once the handle is closed.
///
/// After `storefront_close` the host frees its `event_base`; a handler finishing later must not
/// post its reply there. Such a handler passes the gate only while it is open; once closed it
/// parks forever instead (its task and request are abandoned, which close documents).
///
/// Limit: a handler that passed the gate an instant before close still posts to the loop
/// (`event_active`) right after; that is only reachable when close runs with requests in flight,
/// i.e. without a completed `storefront_detach` drain. Closing the window needs a hook in
/// `RequestDispatcher` after its `loop.execute`.
final class ReplyGate: Sendable {
  private let closed = Atomic<Bool>(false)

  /// Closes the gate; handlers finishing from now on park.
  func close() { closed.store(true, ordering: .sequentiallyConsistent) }

  /// Returns at once while open; never returns once closed.
  func pass() async {
    guard closed.load(ordering: .sequentiallyConsistent) else { return }
    // Deliberately never resumed: the task stays suspended and holds its captures.
    await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
  }
}

/// A responder whose deferred replies go through a ``ReplyGate``; immediate ones are sent on the
/// loop thread during the request's callback and need no gate.
struct GatedResponder: HTTPResponder {
  let inner: any HTTPResponder
  let gate: ReplyGate

  func respond(to request: HTTPRequest) -> HTTPReply {
    switch inner.respond(to: request) {
    case .now(let response):
      return .now(response)
    case .later(let produce):
      return .later { [gate] in
        let response = await produce()
        await gate.pass()
        return response
      }
    case .watched(let produce):
      return .watched { [gate] watch in
        let response = await produce(watch)
        await gate.pass()
        return response
      }
    }
  }
}
