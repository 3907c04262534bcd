/// Pure functions that fold records into a state and turn that state back into events.
///
/// Compaction replays the log into a fresh state on a background thread, never touching the
/// application's live state, then writes `snapshot(state)` as the start of the new log.
///
/// ```swift
/// let compactor = LogCompactor<ShopEvent>(
///   makeState: { ShopState() },
///   apply: { state, record in state.apply(record.event) },
///   snapshot: { state in state.events() })
/// ```
public struct LogCompactor<Event: LogEvent>: Sendable {
  /// Replays records (fed by the argument) into a fresh state and returns its snapshot events.
  let run:
    @Sendable (_ replay: ((LogRecord<Event>) throws -> Void) throws -> Void) throws -> [Event]

  public init<State>(
    makeState: @escaping @Sendable () -> State,
    apply: @escaping @Sendable (inout State, LogRecord<Event>) throws -> Void,
    snapshot: @escaping @Sendable (State) -> [Event]
  ) {
    run = { replay in
      var state = makeState()
      try replay { record in try apply(&state, record) }
      return snapshot(state)
    }
  }
}
