import CLibpq

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What libpq reported: a connection that could not be made or was lost, or a statement
/// PostgreSQL refused (with its SQLSTATE).
public struct PGError: Error, Sendable, CustomStringConvertible {
  /// libpq's message, trimmed.
  public var message: String
  /// The five-character SQLSTATE of a refused statement, nil for connection problems.
  public var sqlState: String?
  /// True when the connection is gone (the statement's outcome may be unknown).
  public var connectionLost: Bool

  public var description: String { message }
}

/// One libpq connection, used by one thread at a time (libpq connections are not thread-safe).
///
/// ```swift
/// let connection = try PGConnection(url: "postgresql:///shop?host=/tmp", timeoutSeconds: 2)
/// let rows = try connection.exec("SELECT seq, line FROM storefront_events WHERE seq > $1", ["0"])
/// ```
final class PGConnection {
  private let handle: OpaquePointer

  /// Connects, waiting at most `timeoutSeconds` (libpq's `connect_timeout`, at least 2).
  /// Over TCP a peer that vanishes is noticed within about 10 s (keep-alives and
  /// `tcp_user_timeout`); a lock wait gives up after 5 s and a statement after 60 s, so no
  /// call blocks the writer for long.
  init(url: String, timeoutSeconds: Int) throws(PGError) {
    let keys = [
      "dbname", "connect_timeout", "application_name", "keepalives", "keepalives_idle",
      "keepalives_interval", "keepalives_count", "tcp_user_timeout", "options",
    ]
    let values = [
      url, String(max(2, timeoutSeconds)), "storefront", "1", "5", "2", "2", "10000",
      "-c lock_timeout=5000 -c statement_timeout=60000",
    ]
    let connection = PGConnection.withCStrings(keys) { keyPointers in
      PGConnection.withCStrings(values) { valuePointers in
        PQconnectdbParams(keyPointers, valuePointers, 1)
      }
    }
    guard let connection else {
      throw PGError(message: "out of memory connecting", sqlState: nil, connectionLost: true)
    }
    if PQstatus(connection) != CONNECTION_OK {
      let message = PGConnection.trimmed(PQerrorMessage(connection))
      PQfinish(connection)
      throw PGError(message: message, sqlState: nil, connectionLost: true)
    }
    // libpq prints NOTICEs (`relation ... already exists, skipping`) to stderr by default.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    handle = connection
  }

  deinit { PQfinish(handle) }

  /// Whether libpq still considers the connection usable.
  var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

  /// The socket, for `poll` while waiting for notifications.
  var socket: Int32 { PQsocket(handle) }

  /// Runs `sql` with text parameters (`$1`, `$2`, …; nil is NULL) and returns the rows as text
  /// (nil for NULL). Throws the server's error, or a lost-connection error.
  @discardableResult
  func exec(_ sql: String, _ parameters: [String?] = []) throws(PGError) -> [[String?]] {
    let result: OpaquePointer?
    if parameters.isEmpty {
      result = PQexec(handle, sql)
    } else {
      result = PGConnection.withOptionalCStrings(parameters) { pointers in
        PQexecParams(handle, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
      }
    }
    guard let result else { throw lostError() }
    defer { PQclear(result) }
    let status = PQresultStatus(result)
    switch status {
    case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
      return []
    case PGRES_TUPLES_OK:
      let rowCount = Int(PQntuples(result))
      let columnCount = Int(PQnfields(result))
      var rows: [[String?]] = []
      rows.reserveCapacity(rowCount)
      for row in 0..<rowCount {
        var values: [String?] = []
        values.reserveCapacity(columnCount)
        for column in 0..<columnCount {
          if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
            values.append(nil)
          } else {
            values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
          }
        }
        rows.append(values)
      }
      return rows
    default:
      let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
      let message = PGConnection.trimmed(PQresultErrorMessage(result))
      if !isHealthy || state == nil {
        throw PGError(
          message: message.isEmpty ? lostError().message : message, sqlState: state,
          connectionLost: !isHealthy)
      }
      throw PGError(message: message, sqlState: state, connectionLost: false)
    }
  }

  /// Reads what arrived on the socket and returns the payloads of the notifications received.
  /// Throws when the connection is gone.
  func notifications() throws(PGError) -> [String] {
    if PQconsumeInput(handle) == 0 { throw lostError() }
    var payloads: [String] = []
    while let notice = PQnotifies(handle) {
      payloads.append(String(cString: notice.pointee.extra))
      PQfreemem(notice)
    }
    return payloads
  }

  /// Waits until the socket is readable or `milliseconds` pass.
  func waitReadable(milliseconds: Int32) {
    var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
    _ = poll(&descriptor, 1, milliseconds)
  }

  private func lostError() -> PGError {
    let message = PGConnection.trimmed(PQerrorMessage(handle))
    return PGError(
      message: message.isEmpty ? "the connection to PostgreSQL was lost" : message, sqlState: nil,
      connectionLost: true)
  }

  private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
    guard let text else { return "" }
    var message = String(cString: text)
    while let last = message.last, last.isWhitespace { message.removeLast() }
    return message
  }

  private static func withCStrings<R>(
    _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
  ) -> R {
    withOptionalCStrings(strings) { body($0) }
  }

  private static func withOptionalCStrings<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
  ) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { for copy in copies { free(copy) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}
