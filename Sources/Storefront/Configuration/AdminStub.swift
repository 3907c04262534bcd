// TEMPORARY: stand-ins so the `storefront` executable compiles before the admin operations land.
// The lead deletes this file when merging the real `StorefrontAdmin`.

/// The offline administrative operations behind `storefront createsuperuser` and `storefront log`.
public enum StorefrontAdmin {
  /// Creates a staff superuser in the data directory; returns the process exit code.
  public static func createSuperuser(
    config: StorefrontConfig, username: String, email: String, password: String
  ) async throws -> Int32 {
    print("createsuperuser not yet wired")
    return 1
  }

  /// Checks every line of the event log; returns the process exit code (0 when intact).
  public static func verifyLog(config: StorefrontConfig) async throws -> Int32 {
    print("log verify not yet wired")
    return 1
  }

  /// Rewrites the event log as a snapshot plus new events; returns the process exit code.
  public static func compactLog(config: StorefrontConfig) async throws -> Int32 {
    print("log compact not yet wired")
    return 1
  }

  /// Truncates a damaged event log after its last good line, once `confirm` returns `true`;
  /// returns the process exit code.
  public static func repairLog(config: StorefrontConfig, confirm: () -> Bool) async throws -> Int32
  {
    print("log repair not yet wired")
    return 1
  }
}
