/// Hexadecimal digits: the one encoder behind tokens and digests, log checksums, JSON `\u00XX`,
/// access-log `\xHH` and URL `%HH` escapes.
///
/// ```swift
/// Hex.string([0xDE, 0xAD])                          // "dead"
/// Hex.append(0x2F, to: &bytes, uppercase: true)     // "2F"
/// ```
public enum Hex {
  /// The digit of `nibble` (`0...15`).
  @inlinable
  public static func digit(_ nibble: UInt8, uppercase: Bool = false) -> UInt8 {
    nibble < 10
      ? UInt8(ascii: "0") &+ nibble
      : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) &+ (nibble &- 10)
  }

  /// Appends the two digits of `byte`.
  @inlinable
  public static func append(_ byte: UInt8, to bytes: inout [UInt8], uppercase: Bool = false) {
    bytes.append(digit(byte >> 4, uppercase: uppercase))
    bytes.append(digit(byte & 0x0F, uppercase: uppercase))
  }

  /// `bytes` as lowercase hex, two digits a byte.
  public static func string(_ bytes: some Sequence<UInt8>) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes { append(byte, to: &output) }
    return String(decoding: output, as: UTF8.self)
  }
}
