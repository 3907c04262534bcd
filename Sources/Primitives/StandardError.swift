#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's standard error, unbuffered: one `write(2)` loop per call, so a line is never
/// interleaved with another thread's within one call.
///
/// ```swift
/// StandardError.write("log verify: \(error)\n")
/// ```
public enum StandardError {
  /// Writes `line` and a newline (the default sink of the log's background warnings, and the
  /// admin commands' error lines).
  public static func writeLine(_ line: String) { write(line + "\n") }

  /// Writes `text` as it is (add the newline yourself).
  public static func write(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
      guard var pointer = buffer.baseAddress else { return }
      var remaining = buffer.count
      while remaining > 0 {
        let written = writeBytes(2, pointer, remaining)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        pointer += written
        remaining -= written
      }
    }
  }
}

#if canImport(Glibc)
  private let writeBytes = Glibc.write
#elseif canImport(Darwin)
  private let writeBytes = Darwin.write
#endif
