#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The parts of a list query shared by every list: DRF's `OrderingFilter` and `SearchFilter`,
/// and django-filter's readings of a query parameter's text.
///
/// Every function here is linear in its input.
public enum ListQuery {
  /// One term of an `ordering` parameter.
  public struct OrderingTerm<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var descending: Bool
  }

  /// DRF's `OrderingFilter.get_ordering`: the text split on `,`, each term stripped; a term
  /// counts when its name (after one optional `-`) is one of `fields`; unknown terms are
  /// ignored. Empty when nothing valid was given (the default ordering then applies).
  public static func ordering<Field>(
    _ text: String?, fields: [String: Field]
  ) -> [OrderingTerm<Field>] {
    guard let text, !text.isEmpty else { return [] }
    var terms: [OrderingTerm<Field>] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let term = trimmedWhitespace(String(part))
      let descending = term.hasPrefix("-")
      if let field = fields[descending ? String(term.dropFirst()) : term] {
        terms.append(OrderingTerm(field: field, descending: descending))
      }
    }
    return terms
  }

  /// DRF's `SearchFilter.get_search_terms`: NUL characters removed, commas read as spaces,
  /// split on whitespace. Each term comes back lowercased, for ``matches(_:_:)``.
  public static func searchTerms(_ text: String?) -> [SearchTerm] {
    guard let text, !text.isEmpty else { return [] }
    var terms: [SearchTerm] = []
    var current = String.UnicodeScalarView()
    func flush() {
      if !current.isEmpty { terms.append(SearchTerm(String(current))) }
      current = String.UnicodeScalarView()
    }
    for scalar in text.unicodeScalars {
      if scalar == "\0" { continue }
      if scalar == "," || isPythonWhitespace(scalar) {
        flush()
      } else {
        current.append(scalar)
      }
    }
    flush()
    return terms
  }

  /// A search term, lowercased once.
  public struct SearchTerm: Sendable, Hashable {
    let bytes: [UInt8]
    /// Knuth-Morris-Pratt's table: for each prefix of `bytes`, its longest proper border.
    let failure: [Int]

    init(_ text: String) {
      bytes = Array(text.lowercased().utf8)
      failure = Self.failureTable(bytes)
    }

    /// Whether `text` contains the term, ignoring case (Django's `icontains`): the term in
    /// `text.lowercased()`.
    public func isContained(in text: String) -> Bool {
      ListQuery.folded(text).withUnsafeBufferPointer { firstMatch(in: $0, from: 0) != nil }
    }

    /// Where the term first occurs in `text` (already folded) at or after `start`, or nil.
    ///
    /// Knuth-Morris-Pratt, so linear in the text whatever the term (a term of repeated letters
    /// against a long description costs no more than any other); between partial matches
    /// `memchr` skips to the next occurrence of the term's first byte.
    func firstMatch(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
      if bytes.isEmpty { return start <= text.count ? start : nil }
      guard let base = text.baseAddress, start < text.count else { return nil }
      return bytes.withUnsafeBufferPointer { needle in
        failure.withUnsafeBufferPointer { failure in
          let count = text.count
          let first = Int32(needle[0])
          var index = start
          var matched = 0
          while index < count {
            if matched == 0 {
              guard count - index >= needle.count,
                let found = memchr(base + index, first, count - index)
              else { return nil }
              index = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base + 1
              matched = 1
            } else {
              let byte = text[index]
              while matched > 0, needle[matched] != byte { matched = failure[matched - 1] }
              if needle[matched] == byte { matched += 1 }
              index += 1
            }
            if matched == needle.count { return index - matched }
          }
          return nil
        }
      }
    }

    /// KMP's table: for each prefix of `needle`, the length of its longest proper border.
    static func failureTable(_ needle: [UInt8]) -> [Int] {
      var table = [Int](repeating: 0, count: needle.count)
      var length = 0
      var index = 1
      while index < needle.count {
        if needle[index] == needle[length] {
          length += 1
          table[index] = length
          index += 1
        } else if length > 0 {
          length = table[length - 1]
        } else {
          index += 1
        }
      }
      return table
    }
  }

  /// `text` lower-cased as `String.lowercased()` does, as UTF-8 (an ASCII text byte by byte):
  /// what ``SearchTerm`` looks for its lowercased bytes in.
  public static func folded(_ text: String) -> [UInt8] {
    var text = text
    return text.withUTF8 { bytes in
      if bytes.allSatisfy({ $0 < 0x80 }) {
        return bytes.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
      }
      return Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
    }
  }

  /// Whether every term occurs in at least one of `texts` (DRF: terms AND, fields OR).
  public static func matches(_ terms: [SearchTerm], _ texts: String...) -> Bool {
    terms.allSatisfy { term in texts.contains { term.isContained(in: $0) } }
  }

  /// Python's `int(text)` on ASCII digits: surrounding whitespace and one sign allowed.
  /// Saturates at the `Int` bounds; nil when the text is no integer.
  public static func integer(_ text: String) -> Int? {
    let core = Array(trimmedWhitespace(text).utf8)
    var index = 0
    var negative = false
    if index < core.count, core[index] == UInt8(ascii: "+") || core[index] == UInt8(ascii: "-") {
      negative = core[index] == UInt8(ascii: "-")
      index += 1
    }
    guard index < core.count else { return nil }
    var value = 0
    var saturated = false
    while index < core.count {
      let digit = core[index] &- UInt8(ascii: "0")
      guard digit < 10 else { return nil }
      if !saturated {
        let (times, overflow) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflowSum) = times.addingReportingOverflow(Int(digit))
        if overflow || overflowSum { saturated = true } else { value = sum }
      }
      index += 1
    }
    if saturated { return negative ? Int.min : Int.max }
    return negative ? -value : value
  }

  /// django-filter's `BooleanFilter` (its `BooleanWidget`): `true`/`1` and `false`/`0`,
  /// case-insensitive; anything else is no filter at all (nil).
  public static func boolean(_ text: String?) -> Bool? {
    switch text?.lowercased() {
    case "true", "1": true
    case "false", "0": false
    default: nil
    }
  }

  /// Compares two texts by their UTF-8 bytes (code point order, as SQLite and PostgreSQL's
  /// `C` collation sort), so ordering by name is total and cheap.
  static func precedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
  }
}

extension ListQuery {
  /// `items` (in ascending id order) sorted by `terms`, ties by ascending id. Ascending id
  /// alone costs nothing; descending id only a reversal.
  static func sorted<Item, Field>(
    _ items: [Item], by terms: [OrderingTerm<Field>], id: (Item) -> Int,
    isIdField: (Field) -> Bool, compare: (Item, Item, Field) -> Int
  ) -> [Item] {
    guard let first = terms.first else { return items }
    if isIdField(first.field) { return first.descending ? items.reversed() : items }
    return items.sorted { lhs, rhs in
      for term in terms {
        if isIdField(term.field) {
          let order = id(lhs) < id(rhs)
          return term.descending ? !order : order
        }
        let result = compare(lhs, rhs, term.field)
        if result != 0 { return term.descending ? result > 0 : result < 0 }
      }
      return id(lhs) < id(rhs)
    }
  }

  /// -1, 0 or 1.
  static func compare<Value: Comparable>(_ lhs: Value, _ rhs: Value) -> Int {
    lhs < rhs ? -1 : (lhs == rhs ? 0 : 1)
  }

  /// -1, 0 or 1 by UTF-8 bytes.
  static func compareText(_ lhs: String, _ rhs: String) -> Int {
    precedes(lhs, rhs) ? -1 : (lhs.utf8.elementsEqual(rhs.utf8) ? 0 : 1)
  }

  /// DRF's message for a `ModelChoiceFilter` value naming no object.
  static let invalidModelChoice =
    "Select a valid choice. That choice is not one of the available choices."
}
