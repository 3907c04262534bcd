import EventLog
import EventLogTestSupport
import Foundation
import JSON

// EventLog benchmarks; driven by bench/eventlog/run, which prints the table.
//
//   EventLogBench append <dir> <appenders> <seconds>   appends/s with .always (group commit)
//   EventLogBench fsync-line <dir> <seconds>           lines/s with one write+fdatasync per line
//   EventLogBench generate <dir> <count>               writes a log of <count> order events
//   EventLogBench generate-shop <dir> <count>          a Storefront data dir with <count> orders
//   EventLogBench replay <dir>                         typed replay of <dir> (EventLog.open)
//   EventLogBench parse <dir>                          JSONParser on every line, nothing else
//   EventLogBench foundation <dir>                     Foundation JSONDecoder on every line
//
// Each prints one line: `RESULT <value> <unit>`.
#if canImport(Glibc)
  import Glibc
#endif

func now() -> Double {
  var spec = timespec()
  clock_gettime(CLOCK_MONOTONIC, &spec)
  return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func result(_ value: Double, _ unit: String) {
  print("RESULT \(value) \(unit)")
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
  print("usage: EventLogBench append|fsync-line|generate|replay|parse|foundation <dir> ...")
  exit(2)
}
let directory = arguments[2]

switch arguments[1] {
case "append":
  let appenders = Int(arguments[3])!
  let seconds = Double(arguments[4])!
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init(policy: .always)) {
    _ in
  }
  let start = now()
  let total = await withTaskGroup(of: Int.self) { group in
    for appender in 0..<appenders {
      group.addTask {
        var count = 0
        while now() - start < seconds {
          _ = try! await log.append([.order(appender * 1_000_000 + count)])
          count += 1
        }
        return count
      }
    }
    var sum = 0
    for await count in group { sum += count }
    return sum
  }
  let elapsed = now() - start
  try await log.close()
  result(Double(total) / elapsed, "appends/s")

case "fsync-line":
  let seconds = Double(arguments[3])!
  mkdir(directory, 0o755)
  let path = directory + "/fsync-per-line.jsonl"
  let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0o644)
  precondition(fd >= 0)
  var line = ShopEvent.order(1).encodeData().encoded()
  line.append(0x0A)
  let start = now()
  var count = 0
  while now() - start < seconds {
    let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    precondition(written == line.count && fdatasync(fd) == 0)
    count += 1
  }
  let elapsed = now() - start
  close(fd)
  result(Double(count) / elapsed, "lines/s")

case "generate":
  let count = Int(arguments[3])!
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init(policy: .never)) {
    _ in
  }
  var next = 1
  while next <= count {
    let end = min(count, next + 9999)
    _ = try await log.append((next...end).map(ShopEvent.order))
    next = end + 1
  }
  try await log.close()
  result(Double(count), "events")

case "generate-shop":
  let count = Int(arguments[3])!
  try await generateShopLog(directory: directory, orders: count)
  result(Double(count), "orders")

case "replay":
  var count = 0
  var items = 0
  let start = now()
  let log = try EventLog<ShopEvent>.open(directory: directory, options: .init(policy: .never)) {
    record in
    count += 1
    if case .orderPlaced(let order) = record.event { items += order.items.count }
  }
  let elapsed = now() - start
  try await log.close()
  precondition(items > 0)
  result(Double(count) / elapsed, "records/s")

case "parse", "foundation":
  let path = directory + "/events.jsonl"
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  let bytes = [UInt8](data)
  struct Line: Decodable {
    struct Item: Decodable {
      var productId: Int
      var variantId: Int
      var quantity: Int
      var unitPrice: Decimal
    }
    struct Shipping: Decodable {
      var name: String
      var city: String
      var postcode: String
    }
    struct Order: Decodable {
      var id: Int
      var userId: Int
      var items: [Item]
      var total: Decimal
      var status: String
      var shipping: Shipping
    }
    var seq: UInt64?
    var ts: String?
    var type: String?
    var data: Order?
    var crc: String?
  }
  let decoder = JSONDecoder()
  var count = 0
  let start = now()
  try bytes.withUnsafeBytes { buffer in
    var lineStart = 0
    for index in 0..<buffer.count where buffer[index] == 0x0A {
      let line = UnsafeRawBufferPointer(rebasing: buffer[lineStart..<index])
      if arguments[1] == "parse" {
        _ = try JSONParser.parse(line)
      } else {
        _ = try decoder.decode(Line.self, from: Data(line))
      }
      count += 1
      lineStart = index + 1
    }
  }
  result(Double(count) / (now() - start), "lines/s")

default:
  print("unknown mode \(arguments[1])")
  exit(2)
}
