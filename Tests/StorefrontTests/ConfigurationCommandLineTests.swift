import Foundation
import Testing

/// The built `storefront` executable, run as a real child process.
struct StorefrontProcess {
  struct Result {
    var status: Int32
    var standardOutput: String
    var standardError: String
  }

  /// Where `swift build` / `swift test` put the executable: next to the test binary, or
  /// `.build/debug/storefront` under the package root.
  static func executable() throws -> URL {
    var candidates: [URL] = []
    if let testBinary = Bundle.main.executableURL {
      candidates.append(testBinary.deletingLastPathComponent().appendingPathComponent("storefront"))
    }
    candidates.append(PackagePaths.root.appendingPathComponent(".build/debug/storefront"))
    guard
      let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
    else {
      struct Missing: Error, CustomStringConvertible {
        var description: String
      }
      throw Missing(
        description: "the storefront executable was not found (looked at "
          + candidates.map(\.path).joined(separator: ", ") + "); run `swift build` first")
    }
    return found
  }

  /// Runs `storefront arguments...` in `directory` with no `STOREFRONT_*` variables but
  /// `environment`, standard input from /dev/null, and waits for it to exit.
  static func run(
    _ arguments: [String], in directory: TemporaryDirectory, environment: [String: String] = [:]
  ) throws -> Result {
    let child = try StorefrontChild(
      arguments, workDirectory: directory.path, environment: environment, testDefaults: false)
    let status = try child.waitForExit()
    return Result(
      status: status, standardOutput: child.standardOutput, standardError: child.standardError)
  }
}

@Suite("The storefront command line (real child processes)")
struct ConfigurationCommandLineTests {
  @Test("storefront --help lists the commands")
  func rootHelp() throws {
    let result = try StorefrontProcess.run(["--help"], in: TemporaryDirectory())
    #expect(result.status == 0)
    for command in ["serve", "createsuperuser", "log"] {
      #expect(result.standardOutput.contains(command))
    }
  }

  @Test(
    "Every command has help and accepts --config",
    arguments: [
      ["serve"], ["createsuperuser"], ["log"], ["log", "verify"], ["log", "compact"],
      ["log", "repair"],
    ])
  func commandHelp(command: [String]) throws {
    let result = try StorefrontProcess.run(command + ["--help"], in: TemporaryDirectory())
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.contains("USAGE: storefront \(command.joined(separator: " "))"))
    if command != ["log"] {
      #expect(result.standardOutput.contains("--config <path>"))
      #expect(result.standardOutput.contains("--data-dir <dir>"))
    }
  }

  @Test("storefront serve --help shows the serve flags")
  func serveHelp() throws {
    let result = try StorefrontProcess.run(["serve", "--help"], in: TemporaryDirectory())
    #expect(result.status == 0)
    for flag in [
      "--config <path>", "--host <host>", "--port <port>", "--data-dir <dir>", "--workers <n>",
    ] {
      #expect(result.standardOutput.contains(flag), "missing \(flag)")
    }
  }

  @Test("STOREFRONT_PORT=abc makes serve exit 2 with the message")
  func badEnvironmentPort() throws {
    let result = try StorefrontProcess.run(
      ["serve"], in: TemporaryDirectory(), environment: ["STOREFRONT_PORT": "abc"])
    #expect(result.status == 2)
    #expect(
      result.standardError
        == #"configuration error: port: expected an integer from 0 to 65535, got "abc" (from environment variable STOREFRONT_PORT)"#
        + "\n")
    #expect(result.standardOutput.isEmpty)
  }

  @Test("serve is the default command; a bad flag exits 2")
  func badFlagWithDefaultCommand() throws {
    let result = try StorefrontProcess.run(["--port", "70000"], in: TemporaryDirectory())
    #expect(result.status == 2)
    #expect(
      result.standardError
        == #"configuration error: port: expected an integer from 0 to 65535, got "70000" (from command-line flag --port)"#
        + "\n")
  }

  @Test("An unknown key in config/storefront.json of the working directory exits 2")
  func unknownKeyInDefaultFile() throws {
    let directory = try TemporaryDirectory()
    try directory.write(#"{"limits": {"max_bodyy_bytes": 1}}"#, to: "config/storefront.json")
    let result = try StorefrontProcess.run(["serve"], in: directory)
    #expect(result.status == 2)
    #expect(
      result.standardError.hasPrefix(
        #"configuration error: unknown key "limits.max_bodyy_bytes" in config/storefront.json"#))
  }

  @Test(
    "Every command loads the configuration first: a missing --config exits 2",
    arguments: [
      ["serve"],
      ["createsuperuser", "--username", "admin", "--email", "a@example.com", "--password", "pw"],
      ["log", "verify"], ["log", "compact"], ["log", "repair", "--yes"],
    ])
  func missingConfigFile(command: [String]) throws {
    let result = try StorefrontProcess.run(
      command + ["--config", "missing.json"], in: TemporaryDirectory())
    #expect(result.status == 2)
    #expect(
      result.standardError == "configuration error: missing.json: no such configuration file\n")
  }

  @Test("createsuperuser without a password fails and says how to give one")
  func createSuperuserNeedsPassword() throws {
    let result = try StorefrontProcess.run(
      ["createsuperuser", "--username", "admin", "--email", "a@example.com"],
      in: TemporaryDirectory())
    #expect(result.status != 0)
    #expect(result.standardError.contains("--password"))
    #expect(result.standardError.contains("STOREFRONT_SUPERUSER_PASSWORD"))
  }

  @Test("log repair without a terminal and without --yes refuses")
  func repairRefusesWithoutConfirmation() throws {
    let result = try StorefrontProcess.run(["log", "repair"], in: TemporaryDirectory())
    #expect(result.status == 1)
    #expect(result.standardError.contains("refusing"))
    #expect(result.standardError.contains("--yes"))
  }
}
