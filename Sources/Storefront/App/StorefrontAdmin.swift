import EventLog
import Foundation
import JSON
import Logging
import Primitives
import StorefrontCore

/// The operations behind `storefront createsuperuser`, `backup`, `restore` and `log ...`.
///
/// `createsuperuser`, `log compact` and `backup` run in the server when one holds the data
/// directory (through its control socket, ``ControlSocket``), and otherwise open the directory
/// themselves; their output and exit status are the same either way. `restore` and
/// `log repair` need the directory free; `log verify` only reads and works beside a server.
public enum StorefrontAdmin {
  /// Creates a staff user; exit code 0, or 1 with a message on stderr.
  public static func createSuperuser(
    config: StorefrontConfig, username: String, email: String, password: String
  ) async throws -> Int32 {
    let request = JSONValue.object([
      "command": .string("createsuperuser"), "username": .string(username),
      "email": .string(email), "password": .string(password),
    ])
    return await run("createsuperuser", config: config, request: request) { app in
      await AdminOperations.createSuperuser(
        app, username: username, email: email, password: password)
    }.printed()
  }

  /// Compacts the log (in the server that holds the directory, if any).
  public static func compactLog(config: StorefrontConfig) async throws -> Int32 {
    await run("log compact", config: config, request: .object(["command": .string("compact")])) {
      await AdminOperations.compact($0)
    }.printed()
  }

  /// Writes a consistent, compacted copy of the log to `destination` while a server (if any)
  /// keeps serving: into `<destination>.partial`, synced, then renamed over `destination`.
  public static func backup(config: StorefrontConfig, to destination: String) async throws
    -> Int32
  {
    await backupOutcome(config: config, to: destination).printed()
  }

  private static func backupOutcome(config: StorefrontConfig, to destination: String) async
    -> AdminOutcome
  {
    if let refusal = insideDataDirectory(destination, config.dataDir) {
      return AdminOutcome(status: 1, stderr: "backup: \(refusal)")
    }
    let file: LogBackupFile
    do {
      file = try LogBackupFile(destination: destination)
    } catch {
      return AdminOutcome(status: 1, stderr: "backup: \(error)")
    }
    let received = ByteCount()
    var backup: LogBackup?
    let outcome = await run(
      "backup", config: config, request: .object(["command": .string("backup")]),
      data: { bytes in
        received.add(bytes.count)
        try file.append(bytes)
      },
      final: { frame in backup = frame["backup"].flatMap(LogBackup.init(json:)) },
      direct: { app in
        do {
          backup = try await app.backup { bytes in
            received.add(bytes.count)
            try file.append(bytes)
          }
          return AdminOutcome(status: 0)
        } catch {
          return AdminOutcome(status: 1, stderr: "backup: \(error)")
        }
      })
    guard outcome.status == 0 else {
      file.abandon()
      return outcome
    }
    guard let backup, backup.bytes == UInt64(received.value) else {
      file.abandon()
      return AdminOutcome(status: 1, stderr: "backup: the copy arrived incomplete")
    }
    do {
      try file.finish()
    } catch {
      return AdminOutcome(status: 1, stderr: "backup: \(error)")
    }
    return AdminOutcome(
      status: 0,
      stdout:
        "backup: wrote \(destination) at sequence \(backup.sequence) (\(backup.records) records, \(backup.bytes) bytes)"
    )
  }

  /// Makes the backup at `source` the log of `config.dataDir` (created if missing); refuses a
  /// directory that holds anything unless `force`, and one a server holds.
  public static func restore(config: StorefrontConfig, from source: String, force: Bool)
    async throws -> Int32
  {
    reporting("restore") {
      let restored = try EventLog<ShopEvent>.restore(
        from: source, into: config.dataDir, force: force)
      return
        "restored \(source) into \(config.dataDir): last sequence \(restored.sequence) (\(restored.records) records)"
    }
  }

  /// Writes the log to `destination` as a log file (the file backend's format): under
  /// `postgres`, the newest snapshot and the events after it; under `file`, a backup.
  public static func exportLog(config: StorefrontConfig, to destination: String) async throws
    -> Int32
  {
    guard config.storage.backend == .postgres else {
      return try await backup(config: config, to: destination)
    }
    return reporting("log export") {
      let exported = try PostgresLogTools.export(url: config.storage.postgresURL, to: destination)
      return
        "log export: wrote \(destination) at sequence \(exported.lastSequence) (\(exported.records) records after the snapshot)"
    }
  }

  /// Loads the log file at `source` into an empty log: under `postgres`, an empty PostgreSQL
  /// log; under `file`, an empty data directory (as `restore`).
  public static func importLog(config: StorefrontConfig, from source: String) async throws
    -> Int32
  {
    guard config.storage.backend == .postgres else {
      return try await restore(config: config, from: source, force: false)
    }
    return reporting("log import") {
      let imported = try PostgresLogTools.importLog(
        url: config.storage.postgresURL, from: source)
      return
        "log import: loaded \(source) into PostgreSQL: last sequence \(imported.lastSequence) (\(imported.records) records)"
    }
  }

  /// Prints what `verify` finds; exit code 0 when the log is intact, 1 otherwise.
  public static func verifyLog(config: StorefrontConfig) async throws -> Int32 {
    attempt("log verify") {
      let report =
        switch config.storage.backend {
        case .file: try EventLogTools.verify(directory: config.dataDir)
        case .postgres: try PostgresLogTools.verify(url: config.storage.postgresURL)
        }
      return AdminOutcome(status: report.isHealthy ? 0 : 1, stdout: report.description)
    }.printed()
  }

  /// Shows what `repair` would cut, asks `confirm`, then truncates to the last good line.
  public static func repairLog(config: StorefrontConfig, confirm: () -> Bool) async throws -> Int32
  {
    do {
      let report = try EventLogTools.verify(directory: config.dataDir)
      print(report.description)
      guard let offset = report.repairOffset else {
        print("nothing to repair")
        return 0
      }
      print(
        "repair will truncate \(report.file) at byte \(offset), removing \(report.fileSize - offset) bytes."
      )
      guard confirm() else {
        print("not repaired")
        return 1
      }
      let repair = try EventLogTools.repair(directory: config.dataDir)
      print(
        "repaired: removed \(repair.removedLines) line(s); last sequence kept \(repair.lastKeptSequence)"
      )
      return 0
    } catch {
      StandardError.writeLine("log repair: \(error)")
      return 1
    }
  }

  /// What `operation` returns, or status 1 with `name: error` on stderr when it throws.
  private static func attempt(_ name: String, _ operation: () throws -> AdminOutcome)
    -> AdminOutcome
  {
    do {
      return try operation()
    } catch {
      return AdminOutcome(status: 1, stderr: "\(name): \(error)")
    }
  }

  /// Prints the line `operation` returns (exit code 0), or `name: error` on stderr (1).
  private static func reporting(_ name: String, _ operation: () throws -> String) -> Int32 {
    attempt(name) { AdminOutcome(status: 0, stdout: try operation()) }.printed()
  }

  // MARK: Through the server, or directly

  /// Runs a command in the server that holds `config.dataDir` (sending `request`), or, when
  /// none listens, in this process with the directory opened here (`direct`).
  private static func run(
    _ name: String, config: StorefrontConfig, request: JSONValue,
    data: ([UInt8]) throws -> Void = { _ in }, final: (JSONValue) -> Void = { _ in },
    direct: (StorefrontApp) async -> AdminOutcome
  ) async -> AdminOutcome {
    // A server that took the lock binds its socket right after: look again for a moment.
    let deadline = ContinuousClock.now + .seconds(2)
    while true {
      do {
        if let client = try ControlClient.connect(dataDir: config.dataDir) {
          let frame = try client.call(request, data: data)
          guard let outcome = AdminOutcome(frame: frame) else {
            return AdminOutcome(
              status: 1, stderr: "\(name): the server's answer was not understood")
          }
          final(frame)
          return outcome
        }
      } catch {
        return AdminOutcome(status: 1, stderr: "\(name): \(error)")
      }
      let logger = LoggingSetup.logger("storefront.admin", config: config)
      let app: StorefrontApp
      do {
        app = try StorefrontApp.open(config: config, logger: logger)
      } catch let error as EventLogError {
        if case .directoryInUse = error, ContinuousClock.now < deadline {
          try? await Task.sleep(for: .milliseconds(50))
          continue
        }
        return AdminOutcome(status: 1, stderr: "\(name): \(error)")
      } catch {
        return AdminOutcome(status: 1, stderr: "\(name): \(error)")
      }
      var outcome = await direct(app)
      do {
        try await app.close()
      } catch {
        if outcome.status == 0 {
          outcome = AdminOutcome(status: 1, stderr: "\(name): closing the log failed: \(error)")
        }
      }
      return outcome
    }
  }

  /// The directory part of `path` (`.` when it has none).
  private static func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let parent = String(path[..<slash])
    return parent.isEmpty ? "/" : parent
  }

  /// Why `destination` may not be written (a file directly in the data directory), or nil.
  private static func insideDataDirectory(_ destination: String, _ dataDir: String) -> String? {
    let parent = parentDirectory(of: destination)
    var parentInfo = stat()
    var dataInfo = stat()
    guard stat(parent, &parentInfo) == 0, stat(dataDir, &dataInfo) == 0 else { return nil }
    guard parentInfo.st_dev == dataInfo.st_dev, parentInfo.st_ino == dataInfo.st_ino else {
      return nil
    }
    return "\(destination) is inside the data directory \(dataDir); write the backup elsewhere"
  }
}

/// Bytes counted from the thread that streams a backup.
private final class ByteCount: Sendable {
  private let count = Locked(0)
  func add(_ bytes: Int) { count.withLock { $0 += bytes } }
  var value: Int { count.withLock { $0 } }
}
