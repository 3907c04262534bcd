import EventLog
import Logging
import Primitives
import StorefrontCore

/// The offline operations behind `storefront createsuperuser` and `storefront log ...`.
///
/// Each takes the data directory's lock like the server does, so it refuses clearly while a
/// server holds it (`verify` only reads and also works beside a live server).
public enum StorefrontAdmin {
  /// Creates a staff user through the log; exit code 0, or 1 with a message on stderr.
  public static func createSuperuser(
    config: StorefrontConfig, username: String, email: String, password: String
  ) async throws -> Int32 {
    let logger = LoggingSetup.logger("storefront.admin", config: config)
    let app: StorefrontApp
    do {
      app = try StorefrontApp.open(config: config, logger: logger)
    } catch {
      printToStandardError("createsuperuser: \(error)")
      return 1
    }
    do {
      let user = try await app.shop.auth.createSuperuser(
        username: username, email: email, password: password)
      try await app.close()
      print("Superuser \"\(user.username)\" created (id \(user.id)).")
      return 0
    } catch let error as ShopError {
      try? await app.close()
      printToStandardError("createsuperuser: \(describe(error))")
      return 1
    }
  }

  /// Prints what `verify` finds; exit code 0 when the log is intact, 1 otherwise.
  public static func verifyLog(config: StorefrontConfig) async throws -> Int32 {
    do {
      let report = try EventLogTools.verify(directory: config.dataDir)
      print(report.description)
      return report.isHealthy ? 0 : 1
    } catch {
      printToStandardError("log verify: \(error)")
      return 1
    }
  }

  /// Compacts the log of a data directory no server holds.
  public static func compactLog(config: StorefrontConfig) async throws -> Int32 {
    let logger = LoggingSetup.logger("storefront.admin", config: config)
    do {
      let app = try StorefrontApp.open(config: config, logger: logger)
      try await app.compact()
      try await app.close()
      let report = try EventLogTools.verify(directory: config.dataDir)
      print("compacted: \(report.fileSize) bytes, last sequence \(report.lastSequence)")
      return 0
    } catch {
      printToStandardError("log compact: \(error)")
      return 1
    }
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
      printToStandardError("log repair: \(error)")
      return 1
    }
  }

  private static func describe(_ error: ShopError) -> String {
    guard case .validation = error else { return "\(error)" }
    return String(decoding: error.body.encoded(), as: UTF8.self)
  }
}
