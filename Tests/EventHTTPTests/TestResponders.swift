import EventHTTP
import Foundation
import Synchronization

/// Answers `/now` at once, `/later` after a hop through another thread, `/nap` after 5 ms,
/// `/sleep` after 50 ms; `/body`, `/headers` and `/query` echo what the request carried;
/// anything else is a 404 naming the method and path.
final class EchoResponder: HTTPResponder {
  /// How many `/later` replies were produced on a thread that is not a loop thread.
  let producedOffLoop = Atomic<Int>(0)

  func respond(to request: HTTPRequest) -> HTTPReply {
    let body = Array("\(request.method.rawValue) \(request.path) loop=\(request.loopIndex)".utf8)
    switch request.path {
    case "/now":
      return .now(HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: body))
    case "/later":
      return .later { [self] in
        let offLoop = await Self.onForeignThread {
          !Thread.current.name!.hasPrefix("storefront-loop")
        }
        if offLoop { producedOffLoop.add(1, ordering: .relaxed) }
        return HTTPResponse(status: 200, body: body)
      }
    case "/nap":
      return .later {
        try? await Task.sleep(for: .milliseconds(5))
        return HTTPResponse(status: 200, body: body)
      }
    case "/sleep":
      return .later {
        try? await Task.sleep(for: .milliseconds(50))
        return HTTPResponse(status: 200, body: body)
      }
    case "/body":
      return .now(HTTPResponse(status: 200, body: request.body))
    case "/headers":
      let lines = request.headers.map { "\($0.name): \($0.value)\n" }.joined()
      return .now(HTTPResponse(status: 200, body: Array(lines.utf8)))
    case "/query":
      return .now(HTTPResponse(status: 200, body: Array(request.query.utf8)))
    default:
      return .now(
        HTTPResponse(
          status: 404, body: Array("missing \(request.method.rawValue) \(request.path)".utf8)))
    }
  }

  /// Runs `work` on a fresh thread and returns its result.
  static func onForeignThread(_ work: @escaping @Sendable () -> Bool) async -> Bool {
    await withCheckedContinuation { continuation in
      let thread = Thread { continuation.resume(returning: work()) }
      thread.name = "foreign"
      thread.start()
    }
  }
}
