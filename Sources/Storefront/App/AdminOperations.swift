import EventLog
import JSON
import StorefrontCore

/// The admin commands that run against an open app, wherever it is open: in the server (for a
/// command that came through the control socket) or in the command's own process.
enum AdminOperations {
  /// Adds a staff user.
  static func createSuperuser(
    _ app: StorefrontApp, username: String, email: String, password: String
  ) async -> AdminOutcome {
    do {
      let user = try await app.shop.auth.createSuperuser(
        username: username, email: email, password: password)
      return AdminOutcome(
        status: 0, stdout: "Superuser \"\(user.username)\" created (id \(user.id)).")
    } catch {
      return AdminOutcome(status: 1, stderr: "createsuperuser: \(describe(error))")
    }
  }

  /// Compacts the log.
  static func compact(_ app: StorefrontApp) async -> AdminOutcome {
    do {
      try await app.compact()
      let written = app.written
      if app.sharesLog {
        return AdminOutcome(
          status: 0,
          stdout: "compacted: snapshot row written in PostgreSQL, last sequence \(written.sequence)"
        )
      }
      return AdminOutcome(
        status: 0,
        stdout: "compacted: \(written.bytes) bytes, last sequence \(written.sequence)")
    } catch {
      return AdminOutcome(status: 1, stderr: "log compact: \(error)")
    }
  }

  /// Answers one control-socket request with `app` (see ``ControlSocket`` for the protocol).
  static func serve(_ request: JSONValue, app: StorefrontApp, connection: ControlConnection) async
    -> JSONValue
  {
    switch request["command"]?.stringValue {
    case "createsuperuser":
      guard let username = request["username"]?.stringValue,
        let email = request["email"]?.stringValue, let password = request["password"]?.stringValue
      else {
        return AdminOutcome(
          status: 2, stderr: "control: createsuperuser needs username, email and password"
        ).frame()
      }
      return await createSuperuser(app, username: username, email: email, password: password)
        .frame()
    case "compact":
      return await compact(app).frame()
    case "backup":
      do {
        let backup = try await app.backup { try connection.send(data: $0) }
        return AdminOutcome(status: 0).frame([.init("backup", backup.json)])
      } catch {
        return AdminOutcome(status: 1, stderr: "backup: \(error)").frame()
      }
    case let other:
      return AdminOutcome(status: 2, stderr: "control: unknown command \(other ?? "(none)")")
        .frame()
    }
  }

  /// A domain error as `createsuperuser` prints it: validation errors as their JSON body.
  static func describe(_ error: ShopError) -> String {
    guard case .validation = error else { return "\(error)" }
    return String(decoding: error.body.encoded(), as: UTF8.self)
  }
}

extension LogBackup {
  /// `{"sequence": ..., "records": ..., "bytes": ...}`.
  var json: JSONValue {
    .object([
      "sequence": .number(String(sequence)), "records": .int(records),
      "bytes": .number(String(bytes)),
    ])
  }

  /// Reads ``json``.
  init?(json: JSONValue) {
    guard let sequence = json["sequence"]?.numberLiteral.flatMap(UInt64.init),
      let records = json["records"]?.intValue,
      let bytes = json["bytes"]?.numberLiteral.flatMap(UInt64.init)
    else { return nil }
    self.init(sequence: sequence, records: records, bytes: bytes)
  }
}
