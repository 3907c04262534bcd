import EventLog
import EventLogTestSupport

// A child process for the EventLog tests. Modes:
//   append <dir> <appenders>   append orders with .always forever, printing each acknowledged
//                              sequence ("<seq>\n") as soon as append returns
//   compact-crash <dir> <step> append samples, then compact while appending; SIGKILL itself
//                              at compaction step <step>; prints acknowledged sequences
//   hold <dir>                 open the log, print "ready", wait to be killed
//   fsize <dir>                append until the file size limit makes a write fail; print
//                              "ack <seq>", then "error1 <text>", "error2 <text>"
#if canImport(Glibc)
  import Glibc
#endif

func say(_ text: String) {
  let bytes = Array((text + "\n").utf8)
  _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
  say("usage: EventLogCrashChild append|compact-crash|hold|fsize <dir> [arg]")
  exit(2)
}
let mode = arguments[1]
let directory = arguments[2]

switch mode {
case "append":
  let appenders = Int(arguments[3]) ?? 4
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init(policy: .always)) {
    _ in
  }
  say("ready")
  await withTaskGroup(of: Void.self) { group in
    for appender in 0..<appenders {
      group.addTask {
        var index = appender
        while true {
          index += appenders
          let batch = (index % 3) + 1
          let events = (0..<batch).map { ShopEvent.order(index * 10 + $0) }
          let sequence = try! await log.append(events)
          say("\(sequence)")
        }
      }
    }
  }

case "compact-crash":
  let step = CompactionStep(rawValue: arguments[3])!
  var options = EventLogOptions<ShopEvent>(policy: .always, compactor: ShopState.compactor)
  options.compactionStepHook = { reached in
    if reached == step { kill(getpid(), SIGKILL) }
  }
  let log = try EventLog<ShopEvent>.open(directory: directory, options: options) { _ in }
  let first = try await log.append((1...3000).map(ShopEvent.sample))
  say("\(first)")
  let appender = Task {
    var index = 3001
    while !Task.isCancelled {
      let sequence = try await log.append([ShopEvent.sample(index)])
      say("\(sequence)")
      index += 1
    }
  }
  try await log.compact()
  appender.cancel()
  _ = await appender.result
  try await log.close()
  say("compacted")

case "hold":
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init()) { _ in }
  say("ready")
  while true { sleep(60) }
  _ = log

case "fsize":
  signal(SIGXFSZ, SIG_IGN)
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init()) { _ in }
  let size = try EventLogTools.verify(directory: directory).fileSize
  var limit = rlimit(rlim_cur: rlim_t(size + 8192), rlim_max: rlim_t(size + 8192))
  setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
  var index = 1
  while true {
    do {
      let sequence = try await log.append([ShopEvent.order(index)])
      say("ack \(sequence)")
      index += 1
    } catch {
      say("error1 \(error)")
      break
    }
  }
  do {
    _ = try await log.append([ShopEvent.order(index)])
    say("error2 none")
  } catch let error as EventLogError {
    say("error2 refuses=\(error.refusesWrites) \(error)")
  }
  try? await log.close()

default:
  say("unknown mode \(mode)")
  exit(2)
}
