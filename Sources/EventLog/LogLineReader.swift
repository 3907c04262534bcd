#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file line by line through one large buffer, handing out each line in place.
final class LogLineReader {
  /// A line as stored in the reader's buffer; valid until the next call on the reader.
  struct Line {
    var bytes: UnsafeRawBufferPointer
    /// File offset of the line's first byte.
    var offset: UInt64
    /// False for a final line without `\n`.
    var terminated: Bool
  }

  private let fd: Int32
  private let path: String
  private var buffer: UnsafeMutableRawBufferPointer
  private var start = 0
  private var end = 0
  /// File offset of `buffer[start]`.
  private var offset: UInt64 = 0
  private var readOffset: UInt64 = 0
  private let limit: UInt64
  private var exhausted = false

  /// Reads `fd` from offset 0 up to `limit` bytes (the whole file when `nil`).
  init(fd: Int32, path: String, limit: UInt64? = nil, bufferSize: Int = 4 << 20) {
    self.fd = fd
    self.path = path
    self.limit = limit ?? UInt64.max
    buffer = .allocate(byteCount: bufferSize, alignment: 64)
  }

  deinit { buffer.deallocate() }

  /// The next line, or `nil` at the end.
  func next() throws(EventLogError) -> Line? {
    var searchFrom = start
    while true {
      if searchFrom < end,
        let found = memchr(buffer.baseAddress! + searchFrom, 0x0A, end - searchFrom)
      {
        let newline = buffer.baseAddress!.distance(to: found)
        let line = Line(
          bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<newline]), offset: offset,
          terminated: true)
        offset += UInt64(newline + 1 - start)
        start = newline + 1
        return line
      }
      searchFrom = end
      if exhausted {
        guard start < end else { return nil }
        let line = Line(
          bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), offset: offset,
          terminated: false)
        offset += UInt64(end - start)
        start = end
        return line
      }
      searchFrom -= start
      try fill()
    }
  }

  /// True when no bytes follow the last line returned.
  func atEnd() throws(EventLogError) -> Bool {
    while start == end && !exhausted { try fill() }
    return start == end
  }

  /// Moves unread bytes to the front (growing the buffer for long lines) and reads more.
  private func fill() throws(EventLogError) {
    if start > 0 {
      if end > start {
        buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
      }
      end -= start
      start = 0
    }
    if end == buffer.count {
      let bigger = UnsafeMutableRawBufferPointer.allocate(
        byteCount: buffer.count * 2, alignment: 64)
      bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
      buffer.deallocate()
      buffer = bigger
    }
    let wanted = Int(min(UInt64(buffer.count - end), limit - readOffset))
    if wanted == 0 {
      exhausted = true
      return
    }
    let got = try SystemCalls.readAt(fd, buffer.baseAddress! + end, wanted, readOffset, path)
    if got == 0 { exhausted = true }
    end += got
    readOffset += UInt64(got)
  }
}
