import EventHTTP
import EventLog
import Storefront

/// The codes of `enum storefront_status` in `include/storefront.h` (keep the two in step).
enum StorefrontStatus: Int32, Sendable {
  case ok = 0
  case invalidArgument = -1
  case config = -2
  case dataDir = -3
  case dataDirInUse = -4
  case logCorrupt = -5
  case state = -6
  case event = -7
  case io = -8
  case timeout = -9

  /// What `storefront_strerror` returns: a static, NUL-terminated description.
  var summary: StaticString {
    switch self {
    case .ok: "success"
    case .invalidArgument: "invalid argument"
    case .config: "configuration error"
    case .dataDir: "data directory unusable"
    case .dataDirInUse: "data directory in use"
    case .logCorrupt: "event log corrupt"
    case .state: "call not valid in this state"
    case .event: "libevent or listening error"
    case .io: "event log flush or close failed"
    case .timeout: "timed out"
    }
  }
}

/// A failed C API call: the code it returns and the message `storefront_last_error` reports.
struct CAPIError: Error, Sendable {
  let status: StorefrontStatus
  let message: String

  init(_ status: StorefrontStatus, _ message: String) {
    self.status = status
    self.message = message
  }

  /// Maps what opening, serving or closing threw to a code, keeping the error's own message.
  static func classify(_ error: any Error, context: String) -> CAPIError {
    switch error {
    case let error as CAPIError:
      return error
    case let error as ConfigurationError:
      return CAPIError(.config, "\(context): \(error)")
    case let error as EventLogError:
      let status: StorefrontStatus =
        switch error {
        case .directoryInUse: .dataDirInUse
        case .cannotCreateDirectory, .notWritable, .directoryNotEmpty: .dataDir
        case .corruptLine, .undecodableEvent: .logCorrupt
        case .io, .writesStopped, .closed, .noCompactor, .compactionFailed: .io
        }
      return CAPIError(status, "\(context): \(error)")
    case let error as EventHTTPError:
      return CAPIError(.event, "\(context): \(error)")
    default:
      return CAPIError(.io, "\(context): \(error)")
    }
  }
}
