import Foundation
import Testing

/// `storefront log verify|repair` and startup on a damaged log, as real processes.
@Suite(.serialized) struct LogCommandTests {
  let environment = ["STOREFRONT_AUTH_PBKDF2_ITERATIONS": "1000"]

  @Test func corruptLineStopsStartupUntilRepaired() throws {
    let directory = try TemporaryDirectory()
    let data = directory.path + "/data"
    for name in ["alice", "bob"] {
      let created = try StorefrontProcess.run(
        [
          "createsuperuser", "--username", name, "--email", "\(name)@example.com",
          "--password", "password-\(name)", "--data-dir", data,
        ],
        in: directory, environment: environment)
      #expect(created.status == 0, "\(created.standardError)")
    }
    let healthy = try StorefrontProcess.run(
      ["log", "verify", "--data-dir", data], in: directory, environment: environment)
    #expect(healthy.status == 0)
    #expect(healthy.standardOutput.contains("userRegistered: 2"))

    // Flip one byte inside the first record (line 2, after the header).
    let path = data + "/events.jsonl"
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let secondLine = bytes.firstIndex(of: UInt8(ascii: "\n"))! + 1
    bytes[secondLine + 40] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: path))

    let refused = try StorefrontProcess.run(
      ["serve", "--port", "0", "--data-dir", data], in: directory, environment: environment)
    #expect(refused.status == 1)
    #expect(refused.standardError.contains("line 2"))
    #expect(refused.standardError.contains("storefront log repair"))

    let verify = try StorefrontProcess.run(
      ["log", "verify", "--data-dir", data], in: directory, environment: environment)
    #expect(verify.status == 1)
    #expect(verify.standardOutput.contains("line 2"))

    let repair = try StorefrontProcess.run(
      ["log", "repair", "--yes", "--data-dir", data], in: directory, environment: environment)
    #expect(repair.status == 0, "\(repair.standardError)")
    let after = try StorefrontProcess.run(
      ["log", "verify", "--data-dir", data], in: directory, environment: environment)
    #expect(after.status == 0)
    #expect(after.standardOutput.contains("no problems found"))

    // The repaired directory opens again: a new superuser gets the next free id.
    let again = try StorefrontProcess.run(
      [
        "createsuperuser", "--username", "carol", "--email", "carol@example.com",
        "--password", "password-carol", "--data-dir", data,
      ],
      in: directory, environment: environment)
    #expect(again.status == 0, "\(again.standardError)")
  }

  @Test func compactKeepsTheData() throws {
    let directory = try TemporaryDirectory()
    let data = directory.path + "/data"
    for name in ["dave", "erin", "frank"] {
      _ = try StorefrontProcess.run(
        [
          "createsuperuser", "--username", name, "--email", "\(name)@example.com",
          "--password", "password-\(name)", "--data-dir", data,
        ],
        in: directory, environment: environment)
    }
    let compact = try StorefrontProcess.run(
      ["log", "compact", "--data-dir", data], in: directory, environment: environment)
    #expect(compact.status == 0, "\(compact.standardError)")
    let duplicate = try StorefrontProcess.run(
      [
        "createsuperuser", "--username", "erin", "--email", "erin@example.com",
        "--password", "password-erin", "--data-dir", data,
      ],
      in: directory, environment: environment)
    #expect(duplicate.status == 1)
    #expect(duplicate.standardError.contains("A user with that username already exists."))
  }
}
