import EventLog
import EventLogTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

struct DirectoryTests {
  @Test func aMissingDirectoryIsCreated() async throws {
    let directory = TemporaryDirectory()
    #expect(!FileManager.default.fileExists(atPath: directory.data))
    let (log, records) = try openCollecting(directory.data)
    #expect(records.isEmpty)
    try await log.close()
    #expect(FileManager.default.fileExists(atPath: directory.logFile))
  }

  /// Whatever the umask, a new data directory is 0700 and the log, the lock file and a
  /// compaction's temporary file are 0600 (the child sets the umask, opens, compacts, closes).
  @Test(arguments: ["022", "000", "277"])
  func newFilesHaveSafeModes(umask: String) throws {
    let directory = TemporaryDirectory()
    let child = try ChildProcess(["modes", directory.data, umask])
    let lines = child.remainingLines()
    child.waitForExit()
    #expect(lines == ["log 600", "temporary 600", "done"], "umask \(umask)")
    func mode(_ path: String) -> String {
      var info = stat()
      guard stat(path, &info) == 0 else { return "missing" }
      return String(info.st_mode & 0o7777, radix: 8)
    }
    #expect(mode(directory.data) == "700")
    #expect(mode(directory.logFile) == "600")
    #expect(mode(directory.data + "/eventlog.lock") == "600")
  }

  /// An existing directory and log keep the modes the operator gave them.
  @Test func existingModesAreKept() async throws {
    let directory = TemporaryDirectory()
    mkdir(directory.data, 0o750)
    chmod(directory.data, 0o750)
    try await makeLog(directory.data, count: 1)
    chmod(directory.logFile, 0o640)
    let (log, _) = try openCollecting(directory.data)
    try await log.close()
    var info = stat()
    #expect(stat(directory.data, &info) == 0 && info.st_mode & 0o777 == 0o750)
    #expect(stat(directory.logFile, &info) == 0 && info.st_mode & 0o777 == 0o640)
  }

  @Test func aMissingParentIsAClearError() {
    let directory = TemporaryDirectory()
    let path = directory.path + "/no/such/data"
    #expect(
      throws: EventLogError.cannotCreateDirectory(
        path: path, reason: "its parent directory \(directory.path)/no/such does not exist")
    ) { _ = try openCollecting(path) }
    #expect(
      EventLogError.cannotCreateDirectory(
        path: "/x/y", reason: "its parent directory /x does not exist"
      )
      .description == "cannot create data directory /x/y: its parent directory /x does not exist")
  }

  @Test func aFileInTheWayIsAClearError() throws {
    let directory = TemporaryDirectory()
    try writeFile(directory.data, [1, 2, 3])
    #expect(
      throws: EventLogError.cannotCreateDirectory(
        path: directory.data, reason: "a file with that name exists")
    ) { _ = try openCollecting(directory.data) }
  }

  /// As root, permission bits do not stop writes; there the directory is made immutable with
  /// `chattr +i` instead (which binds root too), and the test is skipped if that is unavailable
  /// (except under CI=true, where it fails).
  @Test(
    .enabled(
      if: ReadOnlyDirectory.isSupported || ProcessInfo.processInfo.environment["CI"] == "true"))
  func aReadOnlyDirectoryIsAClearError() throws {
    let directory = TemporaryDirectory()
    mkdir(directory.data, 0o755)
    let readOnly = try ReadOnlyDirectory(directory.data)
    defer { readOnly.restore() }
    #expect {
      _ = try openCollecting(directory.data)
    } throws: { error in
      guard case .notWritable(let path, _) = error as? EventLogError else { return false }
      return path == directory.data
        && "\(error)".hasPrefix("data directory \(directory.data) is not writable: ")
    }
    let child = try ReadOnlyDirectory(directory.path)
    defer { child.restore() }
    let inside = directory.path + "/new"
    #expect {
      _ = try openCollecting(inside)
    } throws: { error in
      guard case .cannotCreateDirectory(let path, let reason) = error as? EventLogError else {
        return false
      }
      return path == inside && reason.contains("is not writable")
    }
  }

  @Test func aSecondOpenInTheSameProcessIsRefused() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data)
    #expect(
      throws: EventLogError.directoryInUse(path: directory.data, pid: getpid())
    ) { _ = try openCollecting(directory.data) }
    #expect(
      EventLogError.directoryInUse(path: "/d", pid: 42).description
        == "data directory /d is in use by process 42")
    // Repair refuses too: it writes.
    #expect(throws: EventLogError.self) { _ = try EventLogTools.repair(directory: directory.data) }
    try await log.close()
    let (again, _) = try openCollecting(directory.data)
    try await again.close()
  }

  @Test func anotherProcessHoldingTheDirectoryIsNamed() async throws {
    let directory = TemporaryDirectory()
    let child = try ChildProcess(["hold", directory.data])
    #expect(child.readLine() == "ready")
    #expect(
      throws: EventLogError.directoryInUse(path: directory.data, pid: child.pid)
    ) { _ = try openCollecting(directory.data) }
    child.kill()
    child.waitForExit()
    let (log, _) = try openCollecting(directory.data)
    try await log.close()
  }
}

/// Makes a directory unwritable for this process, honestly: mode 0555 for a normal user,
/// `chattr +i` for root (whom mode bits do not stop).
struct ReadOnlyDirectory {
  let path: String

  static let isSupported: Bool = {
    let probe = TemporaryDirectory()
    guard let readOnly = try? ReadOnlyDirectory(probe.path) else { return false }
    defer { readOnly.restore() }
    let fd = open(probe.path + "/probe", O_CREAT | O_WRONLY, 0o644)
    if fd >= 0 { close(fd) }
    return fd < 0
  }()

  init(_ path: String) throws {
    self.path = path
    if geteuid() == 0 {
      guard ReadOnlyDirectory.chattr("+i", path) else { throw POSIXError(.EPERM) }
    } else {
      chmod(path, 0o555)
    }
  }

  func restore() {
    if geteuid() == 0 { _ = ReadOnlyDirectory.chattr("-i", path) } else { chmod(path, 0o755) }
  }

  private static func chattr(_ flag: String, _ path: String) -> Bool {
    for tool in ["/usr/bin/chattr", "/bin/chattr"]
    where FileManager.default.fileExists(atPath: tool) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = [flag, path]
      process.standardError = FileHandle.nullDevice
      guard (try? process.run()) != nil else { return false }
      process.waitUntilExit()
      return process.terminationStatus == 0
    }
    return false
  }
}
