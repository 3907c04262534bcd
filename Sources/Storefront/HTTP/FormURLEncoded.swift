import JSON

/// `application/x-www-form-urlencoded` bodies, read as DRF's FormParser does: a flat object
/// of strings in first-appearance order, the last value winning for a repeated key (Django's
/// `QueryDict.dict()`).
enum FormURLEncoded {
  /// Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS` default.
  static let defaultMaximumFields = 1000

  /// The body has more fields than allowed (Django's `TooManyFieldsSent`).
  struct TooManyFields: Error, Equatable {
    /// The limit that was exceeded.
    let limit: Int
  }

  /// Parses `body` in one pass over its bytes.
  ///
  /// Fields are counted before anything is decoded, as Python's `parse_qsl` counts them: one
  /// more than the number of `&`, empty fields included.
  static func parse(
    _ body: [UInt8], maximumFields: Int = defaultMaximumFields
  ) throws(TooManyFields) -> JSONValue {
    if !body.isEmpty {
      var fields = 1
      for byte in body where byte == UInt8(ascii: "&") { fields += 1 }
      if fields > maximumFields { throw TooManyFields(limit: maximumFields) }
    }
    var members: [JSONObject.Member] = []
    var positions: [String: Int] = [:]
    for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      let parts = pair.split(
        separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
      let key = decode(parts[0])
      let value = JSONValue.string(parts.count > 1 ? decode(parts[1]) : "")
      if let position = positions[key] {
        members[position].value = value
      } else {
        positions[key] = members.count
        members.append(JSONObject.Member(key, value))
      }
    }
    return .object(JSONObject(members))
  }

  /// Percent-decodes `bytes`, with `+` as a space; invalid UTF-8 becomes U+FFFD.
  static func decode(_ bytes: ArraySlice<UInt8>) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let byte = bytes[index]
      if byte == UInt8(ascii: "+") {
        output.append(UInt8(ascii: " "))
      } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
        let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
      {
        output.append(high << 4 | low)
        index += 2
      } else {
        output.append(byte)
      }
      index += 1
    }
    return String(decoding: output, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
