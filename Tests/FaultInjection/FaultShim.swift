import Foundation

/// The fault-injection library of `faultshim.c` (next to this file), compiled once per test
/// process with `cc`, and the environment that loads it into a child process.
///
/// ```swift
/// let plan = FaultPlan(failing: [.fdatasync: "4"], errno: .eio)
/// let environment = try plan.environment()  // LD_PRELOAD and FAULTSHIM_* variables
/// ```
public struct FaultPlan: Sendable {
  /// The calls the library can make fail (on the event log file only).
  public enum Call: String, Sendable, CaseIterable {
    case write, fdatasync, fsync, ftruncate
  }

  /// The errno a failed call sets.
  public enum Code: String, Sendable {
    case eio = "EIO"
    case enospc = "ENOSPC"

    /// What `strerror` says for it (how the log names the error).
    public var text: String {
      switch self {
      case .eio: "Input/output error"
      case .enospc: "No space left on device"
      }
    }
  }

  /// For each call: which of its calls on the log fail, counted from 1 ("4", "4,5", "4+").
  public var failing: [Call: String]
  public var errno: Code
  /// Count (and fail) calls only while this file exists, so that setup is not counted.
  public var armFile: String?
  /// What the file's path ends with (default `/events.jsonl`).
  public var pathSuffix: String?
  /// While this file exists, syncs of the log wait: what was written stays unacknowledged.
  public var holdFile: String?

  /// Reads of the log wait until this file exists (a replay held as long as a test wants).
  public var holdReadsUntil: String?

  public init(
    failing: [Call: String], errno: Code = .eio, armFile: String? = nil, pathSuffix: String? = nil,
    holdFile: String? = nil, holdReadsUntil: String? = nil
  ) {
    self.failing = failing
    self.errno = errno
    self.armFile = armFile
    self.pathSuffix = pathSuffix
    self.holdFile = holdFile
    self.holdReadsUntil = holdReadsUntil
  }

  /// `LD_PRELOAD` and the `FAULTSHIM_*` variables; compiles the library on first use.
  public func environment() throws -> [String: String] {
    var environment = ["LD_PRELOAD": try FaultShim.library(), "FAULTSHIM_ERRNO": errno.rawValue]
    for (call, numbers) in failing {
      environment["FAULTSHIM_\(call.rawValue.uppercased())"] = numbers
    }
    if let armFile { environment["FAULTSHIM_ARM_FILE"] = armFile }
    if let pathSuffix { environment["FAULTSHIM_SUFFIX"] = pathSuffix }
    if let holdFile { environment["FAULTSHIM_HOLD_FILE"] = holdFile }
    if let holdReadsUntil { environment["FAULTSHIM_HOLD_READS_UNTIL"] = holdReadsUntil }
    return environment
  }
}

/// Builds `faultshim.so`. A missing compiler is an error (tests fail, never skip).
public enum FaultShim {
  public struct BuildError: Error, CustomStringConvertible {
    public let description: String
  }

  /// The path of the compiled library.
  public static func library() throws -> String {
    switch built {
    case .success(let path): return path
    case .failure(let error): throw error
    }
  }

  /// Compiled into a per-user directory under a name derived from the source's contents, so
  /// test processes reuse it and nothing piles up in /tmp; written under a temporary name and
  /// renamed, so concurrent builds never see half a file.
  private static let built: Result<String, BuildError> = {
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("faultshim.c").path
    guard let text = FileManager.default.contents(atPath: source) else {
      return .failure(BuildError(description: "cannot read \(source)"))
    }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("storefront-faultshim-\(getuid())").path
    let output = directory + "/faultshim-\(String(hash, radix: 16)).so"
    if FileManager.default.fileExists(atPath: output) { return .success(output) }
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      return .failure(BuildError(description: "cannot create \(directory): \(error)"))
    }
    let partial = output + ".\(getpid()).partial"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-o", partial, source, "-ldl"]
    let errors = Pipe()
    process.standardError = errors
    // Waited for through the termination handler, not `waitUntilExit()` (whose run loop can
    // miss the exit off the main thread under load).
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    do {
      try process.run()
    } catch {
      return .failure(BuildError(description: "cannot run cc to build the fault shim: \(error)"))
    }
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    if exited.wait(timeout: .now() + 120) == .timedOut {
      process.terminate()
      return .failure(BuildError(description: "cc did not finish building the fault shim"))
    }
    guard process.terminationStatus == 0, rename(partial, output) == 0 else {
      unlink(partial)
      return .failure(
        BuildError(
          description: "cc could not build the fault shim (a C compiler is required): "
            + String(decoding: message, as: UTF8.self)))
    }
    return .success(output)
  }()
}
