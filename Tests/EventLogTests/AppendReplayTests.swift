import EventLog
import EventLogTestSupport
import JSON
import Primitives
import Testing

struct AppendReplayTests {
  @Test func everyEventShapeRoundTrips() async throws {
    let directory = TemporaryDirectory()
    let events: [ShopEvent] = [
      .userRegistered(id: 1, email: "zoë@example.com", name: "Zoë \"Z\" \\ 日本 😀\n\t\u{1}"),
      .productCreated(id: 2, name: "Mug", price: "19.99", stock: 10),
      .productCreated(id: 3, name: "", price: "-0", stock: 0),
      .productCreated(id: 4, name: "Line\u{2028}Sep", price: "1e5", stock: Int.max),
      .order(5), .orderStatusChanged(orderID: 5, status: "shipped"),
      .stockSet(productID: 2, stock: -3),
    ]
    let (log, initial) = try openCollecting(directory.data)
    #expect(initial.isEmpty)
    var sequences: [UInt64] = []
    for event in events { sequences.append(try await log.append([event])) }
    #expect(sequences == Array(1...UInt64(events.count)))
    try await log.close()

    let (records, _) = try await replayAll(directory.data)
    #expect(records.map(\.event) == events)
    #expect(records.map(\.sequence) == sequences)
    #expect(records.allSatisfy { !$0.isSnapshot })
    let timestamps = records.map(\.timestamp)
    #expect(timestamps == timestamps.sorted())
  }

  @Test func batchesGetConsecutiveSequencesAndReopenContinues() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data)
    #expect(try await log.append((1...5).map(ShopEvent.sample)) == 5)
    #expect(try await log.append([]) == 5)
    #expect(try await log.append([.sample(6)]) == 6)
    try await log.close()
    let (again, records) = try openCollecting(directory.data)
    #expect(records.map(\.sequence) == Array(1...6))
    #expect(try await again.append([.sample(7), .sample(8)]) == 8)
    try await again.close()
    let (all, state) = try await replayAll(directory.data)
    #expect(all.map(\.event) == (1...8).map(ShopEvent.sample))
    #expect(state == ShopState.afterSamples(8))
  }

  @Test(arguments: [FsyncPolicy.always, .batch(milliseconds: 5), .never])
  func orderIsPreservedUnder64ConcurrentAppenders(policy: FsyncPolicy) async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data, options: .init(policy: policy))
    let perAppender = 20
    let acknowledged = try await withThrowingTaskGroup(of: [(Int, UInt64)].self) { group in
      for appender in 0..<64 {
        group.addTask {
          var mine: [(Int, UInt64)] = []
          for step in 0..<perAppender {
            let id = appender * 1000 + step
            mine.append((id, try await log.append([.orderStatusChanged(orderID: id, status: "s")])))
          }
          return mine
        }
      }
      var all: [(Int, UInt64)] = []
      for try await mine in group { all += mine }
      return all
    }
    try await log.close()
    let (records, _) = try await replayAll(directory.data)
    #expect(records.count == 64 * perAppender)
    #expect(records.map(\.sequence) == Array(1...UInt64(64 * perAppender)))
    var idAtSequence: [UInt64: Int] = [:]
    for record in records {
      guard case .orderStatusChanged(let id, _) = record.event else {
        Issue.record("unexpected \(record.event)")
        continue
      }
      idAtSequence[record.sequence] = id
    }
    for (id, sequence) in acknowledged { #expect(idAtSequence[sequence] == id) }
    // Each appender's events appear in the order it appended them.
    for appender in 0..<64 {
      let ids = records.compactMap { record -> Int? in
        guard case .orderStatusChanged(let id, _) = record.event, id / 1000 == appender else {
          return nil
        }
        return id
      }
      #expect(ids == (0..<perAppender).map { appender * 1000 + $0 })
    }
  }

  @Test func everyLineIsPlainJSONWithTheDocumentedFields() async throws {
    let directory = TemporaryDirectory()
    try await makeLog(directory.data, count: 3)
    let bytes = try readFile(directory.logFile)
    let lines = lineRanges(bytes).map { Array(bytes[$0].dropLast()) }
    #expect(lines.count == 4)
    let header = try JSONParser.parse(lines[0])
    #expect(header["format"] == .string("storefront-eventlog"))
    #expect(header["version"] == .int(1))
    #expect(header["snapshot"] == .int(0))
    for (index, line) in lines.dropFirst().enumerated() {
      let value = try JSONParser.parse(line)
      guard case .object(let object) = value else {
        Issue.record("line is not an object")
        continue
      }
      #expect(object.members.map(\.key) == ["seq", "ts", "type", "data", "crc"])
      #expect(value["seq"] == .int(index + 1))
      #expect(value["type"] == .string(ShopEvent.sample(index + 1).type))
      #expect(value["data"] == ShopEvent.sample(index + 1).encodeData())
      let ts = value["ts"]?.stringValue ?? ""
      #expect(ts.count == 27 && ts.hasSuffix("Z") && ts.contains("T"))
      #expect(value["crc"]?.stringValue?.count == 8)
    }
  }

  @Test func appendAfterCloseIsRefusedAndCloseIsIdempotent() async throws {
    let directory = TemporaryDirectory()
    let (log, _) = try openCollecting(directory.data)
    _ = try await log.append([.sample(1)])
    try await log.close()
    try await log.close()
    await #expect(throws: EventLogError.closed) { try await log.append([.sample(2)]) }
    #expect(EventLogError.closed.refusesWrites)
  }

  @Test func timestampsPrintAsUTCWithMicroseconds() {
    let stamp = Timestamp(microseconds: 1_795_824_784_123_456)
    #expect(stamp.description == "2026-11-28T00:13:04.123456Z")
    #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00.000000Z")
    #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
    #expect(
      Timestamp(microseconds: 951_782_400_000_001).description
        == "2000-02-29T00:00:00.000001Z")
  }
}
