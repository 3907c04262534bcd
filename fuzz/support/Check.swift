// Compiled into every fuzz target. `precondition` drops its message in optimized builds; a
// failed invariant should say what broke.

/// Stops the run (libFuzzer keeps the input) with `message` when `condition` is false.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fatalError("fuzz invariant failed: \(message())") }
}
