import ArgumentParser

/// Ends a command with the exit status an operation returned: nothing for 0, `ExitCode` otherwise.
func finish(withStatus status: Int32) throws {
  if status != 0 { throw ExitCode(status) }
}
