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
//   faults <dir> <policy> <s> <n>  (run under the fault-injection shim) s appends one after
//                              the other, then n started a millisecond apart; append i holds
//                              orders i*10 ..< i*10 + i%3 + 1;
//                              print "ack <i> <seq>" or "fail <i> <refuses> <error>" for each,
//                              "stopped <message>" / "unrecoverable <message>" from the
//                              callbacks, then "failure <writeFailure or none>" and "done"
//   compact-faults <dir>       append samples, then compact while appending (run under the
//                              shim, failing the directory sync after the rename); prints
//                              "ack <i> <seq>", "fail <i> ...", "compact <result>", "done"
//   modes <dir> <umask>        under that umask (octal), open, append, compact and close;
//                              prints "log <mode>" (octal) after opening, "temporary <mode>"
//                              (the compaction file's), "done"
//   open <dir>                 open the log; print "opened" or "error <text>"
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

case "faults":
  let policy: FsyncPolicy =
    switch arguments[3] {
    case "batch": .batch(milliseconds: 20)
    case "never": .never
    default: .always
    }
  let sequential = Int(arguments[4]) ?? 5
  let burst = Int(arguments[5]) ?? 60
  var options = EventLogOptions<ShopEvent>(policy: policy)
  options.writesStopped = { say("stopped \($0)") }
  options.unrecoverableFailure = { message in
    say("unrecoverable \(message)")
    exitAfterUnrecoverableFailure(message)
  }
  let log = try EventLog<ShopEvent>.open(directory: directory, options: options) { _ in }
  say("ready")
  @Sendable func appendOne(_ index: Int) async {
    let events = (0..<(index % 3 + 1)).map { ShopEvent.order(index * 10 + $0) }
    do {
      let sequence = try await log.append(events)
      say("ack \(index) \(sequence)")
    } catch let error as EventLogError {
      say("fail \(index) \(error.refusesWrites) \(error)")
    } catch {
      say("fail \(index) false \(error)")
    }
  }
  for index in 0..<sequential { await appendOne(index + 1) }
  await withTaskGroup(of: Void.self) { group in
    for index in 0..<burst {
      group.addTask { await appendOne(sequential + index + 1) }
      usleep(1000)
    }
  }
  say("failure \(log.writeFailure.map { "\($0)" } ?? "none")")
  try? await log.close()
  say("done")

case "compact-faults":
  var options = EventLogOptions<ShopEvent>(policy: .always, compactor: ShopState.compactor)
  options.writesStopped = { say("stopped \($0)") }
  let log = try EventLog<ShopEvent>.open(directory: directory, options: options) { _ in }
  let first = try await log.append((1...200).map(ShopEvent.sample))
  say("ack 0 \(first)")
  let appender = Task {
    var index = 1
    while !Task.isCancelled && index <= 400 {
      do {
        let sequence = try await log.append([ShopEvent.order(100_000 + index)])
        say("ack \(index) \(sequence)")
      } catch {
        say("fail \(index) \(error)")
      }
      index += 1
    }
  }
  do {
    try await log.compact()
    say("compact ok")
  } catch {
    say("compact \(error)")
  }
  appender.cancel()
  _ = await appender.value
  try? await log.close()
  say("done")

case "modes":
  umask(mode_t(arguments[3], radix: 8) ?? 0o022)
  let temporary = directory + "/" + EventLog<ShopEvent>.fileName + ".compacting"
  var options = EventLogOptions<ShopEvent>(policy: .always, compactor: ShopState.compactor)
  options.compactionStepHook = { step in
    guard step == .snapshotWritten else { return }
    var info = stat()
    if stat(temporary, &info) == 0 {
      say("temporary \(String(info.st_mode & 0o7777, radix: 8))")
    } else {
      say("temporary missing")
    }
  }
  let log = try EventLog<ShopEvent>.open(directory: directory, options: options) { _ in }
  var info = stat()
  if stat(directory + "/" + EventLog<ShopEvent>.fileName, &info) == 0 {
    say("log \(String(info.st_mode & 0o7777, radix: 8))")
  }
  _ = try await log.append((1...20).map(ShopEvent.sample))
  try await log.compact()
  try await log.close()
  say("done")

case "open":
  do {
    let log = try EventLog<ShopEvent>.open(directory: directory, options: .init()) { _ in }
    try await log.close()
    say("opened")
  } catch {
    say("error \(error)")
  }

default:
  say("unknown mode \(mode)")
  exit(2)
}
