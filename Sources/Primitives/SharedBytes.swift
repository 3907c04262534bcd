/// Immutable bytes at a fixed address, shared by every reader without copying: a pre-encoded
/// block of a large reply body, handed to the network layer by reference.
///
/// ```swift
/// let block = SharedBytes(Array("[1,2]".utf8))
/// response.sharedBody = [SharedBytes.Part(block)]
/// ```
// @unchecked Sendable: the bytes are written once in `init` and only read afterwards; the
// memory is freed in `deinit`, when no reference (and so no reader) is left.
public final class SharedBytes: @unchecked Sendable {
  private let memory: UnsafeMutableRawPointer
  /// How many bytes.
  public let count: Int

  /// A copy of `source`.
  public init(_ source: [UInt8]) {
    count = source.count
    memory = .allocate(byteCount: max(count, 1), alignment: 1)
    source.withUnsafeBytes { source in
      if let base = source.baseAddress { memory.copyMemory(from: base, byteCount: source.count) }
    }
  }

  deinit { memory.deallocate() }

  /// The bytes; valid as long as this object lives.
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: memory, count: count) }

  /// A range of some shared bytes.
  public struct Part: Sendable {
    public let storage: SharedBytes
    public let range: Range<Int>

    /// `storage[range]` (all of it by default).
    public init(_ storage: SharedBytes, _ range: Range<Int>? = nil) {
      self.storage = storage
      self.range = range ?? 0..<storage.count
    }

    /// The bytes of the part.
    public var bytes: UnsafeRawBufferPointer {
      UnsafeRawBufferPointer(rebasing: storage.bytes[range])
    }
  }
}
