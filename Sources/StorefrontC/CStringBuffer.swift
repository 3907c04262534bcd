/// Copies `text` into a caller's `char buf[capacity]`: truncated at a UTF-8 character
/// boundary to `capacity - 1` bytes and NUL-terminated. Does nothing for a NULL buffer or a
/// zero capacity.
func copyCString(_ text: String, into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
  guard let buffer, capacity > 0 else { return }
  var bytes = Array(text.utf8)
  if bytes.count > capacity - 1 {
    var end = capacity - 1
    // Do not cut a multi-byte character: back up over continuation bytes (10xxxxxx).
    while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
    bytes.removeSubrange(end...)
  }
  bytes.withUnsafeBufferPointer { source in
    for (index, byte) in source.enumerated() { buffer[index] = CChar(bitPattern: byte) }
  }
  buffer[bytes.count] = 0
}
