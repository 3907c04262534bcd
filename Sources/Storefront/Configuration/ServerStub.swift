// TEMPORARY: a stand-in so the `storefront` executable compiles before the server lands.
// The lead deletes this file when merging the real `StorefrontServer`.

/// Runs the HTTP server until it is told to stop.
public enum StorefrontServer {
  /// Runs the server with `config`; returns the process exit code.
  public static func run(config: StorefrontConfig) async throws -> Int32 {
    print("server not yet wired")
    return 1
  }
}
