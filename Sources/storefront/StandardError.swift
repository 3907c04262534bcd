import Foundation

/// Writes to the process's standard error, unbuffered.
enum StandardError {
  static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
