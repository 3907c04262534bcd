/// Reads the raw bytes of one connection as HTTP/1.x requests (RFC 9112) and hands on only
/// complete, valid requests in a canonical form that evhttp frames exactly as we did.
///
/// Every byte a client sends passes through here before evhttp sees it. A request is held
/// until it is complete (head and body), so evhttp never waits on a slow client; what is
/// handed on has CRLF line ends, one `Content-Length` (chunked bodies are decoded; trailers
/// and chunk extensions dropped), no `Transfer-Encoding` and no `Expect`. A request that
/// breaks a rule is replaced by a stand-in request whose ``FramedRequest/rejection`` says
/// what to answer; everything after it on the connection is discarded.
///
/// Linear in its input; memory is bounded by ``Limits`` (one head, one body).
///
/// ```swift
/// var framer = RequestFramer(limits: .init(maxHeaderBytes: 8192, maxBodyBytes: 1 << 20))
/// bytes.withUnsafeBytes { framer.feed($0) }
/// send(framer.output); queue(framer.framed); framer.clearOutput()
/// ```
struct RequestFramer {
  struct Limits: Sendable {
    /// The request line and header fields together, in bytes.
    var maxHeaderBytes: Int
    /// Header fields per request.
    var maxHeaderFields: Int = 100
    /// Decoded body bytes.
    var maxBodyBytes: Int
  }

  private enum State {
    /// Between requests (stray CR/LF are skipped).
    case idle
    case head
    case fixedBody(remaining: Int)
    case chunkSize
    case chunkData(remaining: Int)
    case chunkDataEnd
    case trailer
    /// A body refused before it was read (413/503 at the head) is read and dropped, so
    /// that the client, still sending it, gets the reply; then the next request.
    case discard(remaining: Int)
    /// A request was refused: everything else on the connection is ignored.
    case rejected
  }

  /// How evhttp is to be given the method.
  private enum MethodKind {
    /// Forwarded as sent, body included.
    case standard
    /// Forwarded as sent; evhttp reads no body for these (`HEAD`, `TRACE`), so none is sent.
    case bodiless
    /// Replaced by ``RequestFramer/placeholderMethod`` (evhttp reads no body for it).
    case placeholder
  }

  /// The method evhttp is given for methods it does not know (and `CONNECT`, whose target
  /// evhttp would parse as an authority). evhttp maps it to `EVHTTP_REQ_UNKNOWN_`.
  static let placeholderMethod: [UInt8] = Array("UNKNOWN".utf8)
  /// What evhttp is given in place of a refused request.
  static let standIn: [UInt8] = Array("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)
  /// The same, for a refusal after which the connection stays open.
  static let keepAliveStandIn: [UInt8] = Array("GET / HTTP/1.1\r\nHost: -\r\n\r\n".utf8)

  /// What ``expire()`` did.
  enum Expiry {
    /// Nothing was in progress.
    case idle
    /// The incomplete request was refused with 408 (a stand-in is in ``output``).
    case refused
    /// The request was already answered (its body was being dropped): close at once.
    case close
  }

  let limits: Limits
  let budget: BodyBudget?

  /// Canonical bytes of the requests completed so far, for evhttp.
  private(set) var output: [UInt8] = []
  /// One entry per request in ``output``, in order.
  private(set) var framed: [FramedRequest] = []
  /// Set when a head with `Expect: 100-continue` completed and no body byte has arrived yet.
  private(set) var continueWanted = false

  private var state = State.idle
  private var head: [UInt8] = []
  /// Start of the line being accumulated in `head`.
  private var lineStart = 0
  private var requestLineDone = false
  private var body: [UInt8] = []
  /// Bytes of a chunk-size line, of the CRLF after chunk data, or of a trailer line.
  private var line: [UInt8] = []
  private var trailerBytes = 0

  // What the head said, for the current request.
  private var methodKind = MethodKind.standard
  private var methodOverride: String?
  private var targetOverride: String?
  private var forwardsBody = true
  private var reserved = 0
  private var chunkedTotal = 0

  init(limits: Limits, budget: BodyBudget? = nil) {
    self.limits = limits
    self.budget = budget
  }

  /// Whether part of a request has arrived and it is not complete yet.
  var isMidRequest: Bool {
    switch state {
    case .idle, .rejected: false
    default: true
    }
  }

  /// Whether a request was refused (the connection is finished once it is answered).
  var isRejected: Bool {
    if case .rejected = state { return true }
    return false
  }

  /// Budget bytes held by the incomplete request (to give back when the connection closes).
  var reservedByPartialRequest: Int { isMidRequest ? reserved : 0 }

  /// Forgets ``output``, ``framed`` and ``continueWanted`` once the caller has used them.
  mutating func clearOutput() {
    output.removeAll(keepingCapacity: output.capacity <= 1 << 16)
    framed.removeAll(keepingCapacity: true)
    continueWanted = false
  }

  /// Refuses the incomplete request, if any, with `408` (the request deadline passed).
  @discardableResult
  mutating func expire() -> Expiry {
    if case .discard = state {
      state = .rejected
      return .close
    }
    guard isMidRequest else { return .idle }
    reject(.timedOut)
    return .refused
  }

  // MARK: Input

  /// Consumes `input`, appending completed requests to ``output`` and ``framed``.
  mutating func feed(_ input: UnsafeRawBufferPointer) {
    var index = 0
    let count = input.count
    while index < count {
      switch state {
      case .rejected:
        return
      case .idle:
        let byte = input[index]
        if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
          index += 1
        } else {
          state = .head
        }
      case .head:
        index = consumeHead(input, from: index)
      case .discard(let remaining):
        let take = min(remaining, count - index)
        index += take
        state = take == remaining ? .idle : .discard(remaining: remaining - take)
      case .fixedBody(let remaining):
        let take = min(remaining, count - index)
        if forwardsBody { body.append(contentsOf: input[index..<(index + take)]) }
        index += take
        continueWanted = false
        if take == remaining {
          complete()
        } else {
          state = .fixedBody(remaining: remaining - take)
        }
      case .chunkSize:
        index = consumeLine(input, from: index, limit: 1024) { framer in framer.chunkSizeLine() }
      case .chunkData(let remaining):
        let take = min(remaining, count - index)
        if forwardsBody { body.append(contentsOf: input[index..<(index + take)]) }
        index += take
        state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
      case .chunkDataEnd:
        // Exactly CR LF (or a bare LF) after the chunk's data.
        let byte = input[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
          line.removeAll(keepingCapacity: true)
          state = .chunkSize
        } else if byte == UInt8(ascii: "\r"), line.isEmpty {
          line.append(byte)
        } else {
          reject(.badChunk)
        }
      case .trailer:
        index = consumeLine(input, from: index, limit: limits.maxHeaderBytes) { framer in
          framer.trailerBytes += framer.line.count + 2
          if framer.trailerBytes > framer.limits.maxHeaderBytes {
            framer.reject(.headersTooLarge)
          } else if framer.line.isEmpty {
            framer.complete()
          }
        }
      }
    }
  }

  /// Accumulates head bytes up to and including the next LF; parses the head at its blank line.
  private mutating func consumeHead(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
    var end = start
    while end < input.count, input[end] != UInt8(ascii: "\n") { end += 1 }
    let foundLF = end < input.count
    if foundLF { end += 1 }
    head.append(contentsOf: input[start..<end])
    if head.count > limits.maxHeaderBytes {
      reject(requestLineDone ? .headersTooLarge : .targetTooLong)
      return end
    }
    guard foundLF else { return end }
    let lineEnd = head.count - 1
    var contentEnd = lineEnd
    if contentEnd > lineStart, head[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
    if contentEnd == lineStart {
      parseHead()
    } else {
      requestLineDone = true
      lineStart = head.count
    }
    return end
  }

  /// Accumulates one line (without its CR LF) into `line`, at most `limit` bytes, then calls
  /// `done`. A bare CR, or a longer line, is a malformed chunked body.
  private mutating func consumeLine(
    _ input: UnsafeRawBufferPointer, from start: Int, limit: Int,
    _ done: (inout RequestFramer) -> Void
  ) -> Int {
    var index = start
    while index < input.count {
      let byte = input[index]
      index += 1
      if byte == UInt8(ascii: "\n") {
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.contains(UInt8(ascii: "\r")) {
          reject(.badChunk)
          return index
        }
        done(&self)
        line.removeAll(keepingCapacity: true)
        return index
      }
      line.append(byte)
      // One more byte than the limit is allowed for a CR before the LF.
      if line.count > limit + 1 {
        if case .trailer = state { reject(.headersTooLarge) } else { reject(.badChunk) }
        return index
      }
    }
    return index
  }

  // MARK: Head

  /// One header field: ranges into `head`.
  private struct Field {
    var name: Range<Int>
    var value: Range<Int>
    var kind: FieldKind
  }

  private enum FieldKind {
    case other, contentLength, transferEncoding, host, expect
  }

  private mutating func parseHead() {
    do throws(FramingRejection) {
      try parseHeadOrThrow()
    } catch {
      reject(error)
    }
  }

  private mutating func parseHeadOrThrow() throws(FramingRejection) {
    var rewrite = false
    // Lines: [start, contentEnd), CR stripped; a bare LF line end needs rewriting.
    lines.removeAll(keepingCapacity: true)
    var position = 0
    while position < head.count {
      var lineEnd = position
      while head[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      var contentEnd = lineEnd
      if contentEnd > position, head[contentEnd - 1] == UInt8(ascii: "\r") {
        contentEnd -= 1
      } else {
        rewrite = true
      }
      if contentEnd > position { lines.append(position..<contentEnd) }
      position = lineEnd + 1
    }
    guard let requestLine = lines.first else { throw .badRequestLine }

    // Request line: method SP target SP version, nothing else.
    guard let firstSpace = head[requestLine].firstIndex(of: UInt8(ascii: " ")),
      let lastSpace = head[requestLine].lastIndex(of: UInt8(ascii: " ")), firstSpace < lastSpace
    else { throw .badRequestLine }
    let method = requestLine.lowerBound..<firstSpace
    var target = (firstSpace + 1)..<lastSpace
    let version = (lastSpace + 1)..<requestLine.upperBound
    guard !method.isEmpty, method.allSatisfy({ Self.isTokenByte(head[$0]) }) else {
      throw .badRequestLine
    }
    guard !target.isEmpty else { throw .badRequestLine }
    for offset in target {
      let byte = head[offset]
      if byte == UInt8(ascii: " ") { throw .badRequestLine }
      // obs-text (raw UTF-8) is let through: such paths are unknown routes (404).
      if byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "#") { throw .badTarget }
    }
    let minor = try parseVersion(version)

    methodKind = Self.kind(ofMethod: head[method])
    methodOverride = nil
    if case .placeholder = methodKind {
      methodOverride = String(decoding: head[method], as: UTF8.self)
      rewrite = true
    }

    // Request target forms (RFC 9112 §3.2).
    var hostOverride: Range<Int>?
    var replacementTarget: [UInt8]?
    targetOverride = nil
    if head[target.lowerBound] == UInt8(ascii: "/") {
      // Origin form.
    } else if target.count == 1, head[target.lowerBound] == UInt8(ascii: "*") {
      if case .standard = methodKind, !head[method].elementsEqual("OPTIONS".utf8) {
        throw .badTarget
      }
    } else if let afterScheme = absoluteFormAuthorityStart(target) {
      var authorityEnd = afterScheme
      while authorityEnd < target.upperBound, head[authorityEnd] != UInt8(ascii: "/"),
        head[authorityEnd] != UInt8(ascii: "?")
      {
        authorityEnd += 1
      }
      let authority = afterScheme..<authorityEnd
      guard !authority.isEmpty, !head[authority].contains(UInt8(ascii: "@")) else {
        throw .badTarget
      }
      hostOverride = authority
      target = authorityEnd..<target.upperBound
      if target.isEmpty || head[target.lowerBound] != UInt8(ascii: "/") {
        replacementTarget = [UInt8(ascii: "/")] + head[target]
      }
      rewrite = true
    } else if case .placeholder = methodKind {
      // CONNECT's authority-form, or anything an unknown method sent: routed as `/`.
      replacementTarget = [UInt8(ascii: "/")]
    } else {
      throw .badTarget
    }
    if replacementTarget == nil, target.count > 1, head[target.lowerBound] == UInt8(ascii: "/"),
      head[target.lowerBound + 1] == UInt8(ascii: "/")
    {
      // evhttp would parse `//x` as an authority: it gets `/`, the route the original.
      targetOverride = String(decoding: head[target], as: UTF8.self)
      replacementTarget = [UInt8(ascii: "/")]
      rewrite = true
    }

    // Header fields.
    fields.removeAll(keepingCapacity: true)
    var hosts = 0
    var contentLength: Int?
    var contentLengthFields = 0
    var codings: [ArraySlice<UInt8>] = []
    var expectsContinue = false
    for line in lines.dropFirst() {
      guard fields.count < limits.maxHeaderFields else { throw .headersTooLarge }
      let first = head[line.lowerBound]
      if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .badHeaderField }
      guard let colon = head[line].firstIndex(of: UInt8(ascii: ":")), colon > line.lowerBound
      else { throw .badHeaderField }
      let name = line.lowerBound..<colon
      guard name.allSatisfy({ Self.isTokenByte(head[$0]) }) else { throw .badHeaderField }
      var valueStart = colon + 1
      var valueEnd = line.upperBound
      while valueStart < valueEnd, Self.isWhitespace(head[valueStart]) { valueStart += 1 }
      while valueEnd > valueStart, Self.isWhitespace(head[valueEnd - 1]) { valueEnd -= 1 }
      for offset in valueStart..<valueEnd {
        let byte = head[offset]
        if (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F { throw .badHeaderValue }
      }
      let value = valueStart..<valueEnd
      let kind = Self.fieldKind(head[name])
      switch kind {
      case .contentLength:
        contentLengthFields += 1
        for item in Self.listItems(head[value]) {
          let length = try Self.parseLength(item)
          if let known = contentLength, known != length { throw .conflictingContentLength }
          contentLength = length
        }
        if contentLength == nil { throw .badContentLength }
        // evhttp reads one plain decimal value; anything else is written anew.
        if contentLengthFields > 1 || !head[value].allSatisfy(Self.isDigit) { rewrite = true }
      case .transferEncoding:
        guard minor == 1 else { throw .badTransferEncoding }
        let items = Self.listItems(head[value])
        if items.isEmpty { throw .badTransferEncoding }
        codings += items
        rewrite = true
      case .host:
        hosts += 1
      case .expect:
        if minor == 1 {
          guard Self.equalsIgnoringCase(head[value], "100-continue") else {
            throw .expectationFailed
          }
          expectsContinue = true
        }
        rewrite = true
      case .other:
        break
      }
      fields.append(Field(name: name, value: value, kind: kind))
    }
    if hosts > 1 { throw .multipleHosts }
    if minor == 1, hosts == 0 { throw .missingHost }

    // Body framing (RFC 9112 §6).
    var chunked = false
    if !codings.isEmpty {
      if contentLength != nil { throw .lengthAndChunked }
      for (position, coding) in codings.enumerated() {
        let name = Self.codingName(coding)
        let isChunked = Self.equalsIgnoringCase(name, "chunked")
        if position == codings.count - 1 {
          guard isChunked else { throw .badTransferEncoding }
        } else {
          if isChunked || name.isEmpty { throw .badTransferEncoding }
          throw .unsupportedTransferEncoding
        }
      }
      chunked = true
    }
    if case .standard = methodKind { forwardsBody = true } else { forwardsBody = false }
    let length = contentLength ?? 0
    if length > limits.maxBodyBytes {
      try refuseBody(
        .bodyTooLarge, length: length, chunked: chunked, expectsContinue: expectsContinue)
      return
    }
    if forwardsBody, !chunked, length > 0 {
      guard budget?.reserve(length) ?? true else {
        try refuseBody(
          .uploadsBusy, length: length, chunked: chunked, expectsContinue: expectsContinue)
        return
      }
      reserved = length
    }
    // A body evhttp will not read (HEAD, TRACE, placeholders) is consumed here, not passed on.
    if !forwardsBody, chunked || length > 0 { rewrite = true }

    requestRewrite =
      rewrite
      ? Rewrite(
        method: method, target: target, replacementTarget: replacementTarget, minor: minor,
        hostOverride: hostOverride, fields: fields)
      : nil
    continueWanted = expectsContinue && (chunked || length > 0)
    if chunked {
      chunkedTotal = 0
      state = .chunkSize
    } else if length > 0 {
      state = .fixedBody(remaining: length)
    } else {
      complete()
    }
  }

  /// Refuses a request for its body before reading it. Its declared body is then read and
  /// dropped, keeping the connection, so that a client sending it does not get a reset in
  /// place of the reply; one that asked `Expect: 100-continue` (and will not send the body)
  /// or sent a chunked body is answered and the connection closes.
  private mutating func refuseBody(
    _ rejection: FramingRejection, length: Int, chunked: Bool, expectsContinue: Bool
  ) throws(FramingRejection) {
    guard !chunked, !expectsContinue else { throw rejection }
    output.append(contentsOf: Self.keepAliveStandIn)
    framed.append(FramedRequest(rejection: rejection))
    resetRequest()
    state = .discard(remaining: length)
  }

  /// How to write the head when it cannot pass as it arrived.
  private struct Rewrite {
    var method: Range<Int>
    var target: Range<Int>
    var replacementTarget: [UInt8]?
    var minor: Int
    var hostOverride: Range<Int>?
    var fields: [Field]
  }

  private var requestRewrite: Rewrite?
  /// Scratch for `parseHead`, kept between requests.
  private var lines: [Range<Int>] = []
  private var fields: [Field] = []

  /// `HTTP/1.x`: returns x (0 or 1).
  private func parseVersion(_ version: Range<Int>) throws(FramingRejection) -> Int {
    guard version.count == 8, head[version.prefix(5)].elementsEqual("HTTP/".utf8),
      Self.isDigit(head[version.lowerBound + 5]), head[version.lowerBound + 6] == UInt8(ascii: "."),
      Self.isDigit(head[version.lowerBound + 7])
    else { throw .badVersion }
    let major = head[version.lowerBound + 5]
    let minor = head[version.lowerBound + 7]
    guard major == UInt8(ascii: "1"), minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1")
    else { throw .unsupportedVersion }
    return Int(minor - UInt8(ascii: "0"))
  }

  /// For `http://` or `https://` (any case), the offset just after `//`.
  private func absoluteFormAuthorityStart(_ target: Range<Int>) -> Int? {
    for scheme in ["http://", "https://"] {
      let length = scheme.utf8.count
      guard target.count >= length else { continue }
      let prefix = head[target.lowerBound..<(target.lowerBound + length)]
      if Self.equalsIgnoringCase(prefix, scheme) { return target.lowerBound + length }
    }
    return nil
  }

  // MARK: Chunked body

  private mutating func chunkSizeLine() {
    var digits = 0
    var size = 0
    var offset = 0
    while offset < line.count, let value = Self.hexValue(line[offset]) {
      digits += 1
      guard digits <= 15 else {
        reject(.badChunk)
        return
      }
      size = size << 4 | value
      offset += 1
    }
    guard digits > 0 else {
      reject(.badChunk)
      return
    }
    while offset < line.count, Self.isWhitespace(line[offset]) { offset += 1 }
    if offset < line.count {
      // Chunk extensions (`;name=value`) are accepted and dropped.
      guard line[offset] == UInt8(ascii: ";") else {
        reject(.badChunk)
        return
      }
      for byte in line[offset...] where (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
      {
        reject(.badChunk)
        return
      }
    }
    if size == 0 {
      trailerBytes = 0
      state = .trailer
      return
    }
    guard size <= limits.maxBodyBytes - chunkedTotal else {
      reject(.bodyTooLarge)
      return
    }
    chunkedTotal += size
    if forwardsBody {
      guard budget?.reserve(size) ?? true else {
        reject(.uploadsBusy)
        return
      }
      reserved += size
    }
    continueWanted = false
    state = .chunkData(remaining: size)
  }

  // MARK: Output

  /// Hands on the finished request and gets ready for the next one.
  private mutating func complete() {
    if let rewrite = requestRewrite {
      writeHead(rewrite)
    } else {
      output.append(contentsOf: head)
    }
    if forwardsBody { output.append(contentsOf: body) }
    framed.append(
      FramedRequest(
        methodOverride: methodOverride, targetOverride: targetOverride, reservedBytes: reserved))
    resetRequest()
    state = .idle
  }

  private mutating func writeHead(_ rewrite: Rewrite) {
    if case .placeholder = methodKind {
      output.append(contentsOf: Self.placeholderMethod)
    } else {
      output.append(contentsOf: head[rewrite.method])
    }
    output.append(UInt8(ascii: " "))
    if let replacement = rewrite.replacementTarget {
      output.append(contentsOf: replacement)
    } else {
      output.append(contentsOf: head[rewrite.target])
    }
    output.append(contentsOf: rewrite.minor == 1 ? " HTTP/1.1\r\n".utf8 : " HTTP/1.0\r\n".utf8)
    if let host = rewrite.hostOverride {
      appendField(Array("Host".utf8)[...], head[host])
    }
    for field in rewrite.fields {
      switch field.kind {
      case .contentLength, .transferEncoding, .expect: continue
      case .host where rewrite.hostOverride != nil: continue
      default: appendField(head[field.name], head[field.value])
      }
    }
    if forwardsBody, !body.isEmpty {
      output.append(contentsOf: "Content-Length: ".utf8)
      output.append(contentsOf: String(body.count).utf8)
      output.append(contentsOf: "\r\n".utf8)
    }
    output.append(contentsOf: "\r\n".utf8)
  }

  private mutating func appendField(_ name: ArraySlice<UInt8>, _ value: ArraySlice<UInt8>) {
    output.append(contentsOf: name)
    output.append(contentsOf: ": ".utf8)
    output.append(contentsOf: value)
    output.append(contentsOf: "\r\n".utf8)
  }

  /// Replaces the current request with a stand-in carrying `rejection`; ignores the rest.
  private mutating func reject(_ rejection: FramingRejection) {
    output.append(contentsOf: Self.standIn)
    framed.append(
      FramedRequest(reservedBytes: reserved, rejection: rejection, closesConnection: true))
    resetRequest()
    continueWanted = false
    state = .rejected
  }

  private mutating func resetRequest() {
    head.removeAll(keepingCapacity: head.capacity <= 1 << 14)
    body.removeAll(keepingCapacity: body.capacity <= 1 << 16)
    line.removeAll(keepingCapacity: true)
    lineStart = 0
    requestLineDone = false
    requestRewrite = nil
    methodOverride = nil
    targetOverride = nil
    reserved = 0
    chunkedTotal = 0
  }

  // MARK: Bytes

  /// RFC 9110 `tchar`.
  static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return true
    default:
      return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

  static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
  }

  static func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
  }

  static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
    bytes.count == text.utf8.count
      && zip(bytes, text.utf8).allSatisfy { a, b in
        a == b || (a | 0x20 == b && b >= 0x61 && b <= 0x7A)
      }
  }

  private static func kind(ofMethod method: ArraySlice<UInt8>) -> MethodKind {
    switch method.count {
    case 3 where method.elementsEqual("GET".utf8) || method.elementsEqual("PUT".utf8):
      return .standard
    case 4 where method.elementsEqual("POST".utf8):
      return .standard
    case 4 where method.elementsEqual("HEAD".utf8):
      return .bodiless
    case 5 where method.elementsEqual("PATCH".utf8):
      return .standard
    case 5 where method.elementsEqual("TRACE".utf8):
      return .bodiless
    case 6 where method.elementsEqual("DELETE".utf8):
      return .standard
    case 7 where method.elementsEqual("OPTIONS".utf8):
      return .standard
    default:
      return .placeholder
    }
  }

  private static func fieldKind(_ name: ArraySlice<UInt8>) -> FieldKind {
    switch name.count {
    case 4 where equalsIgnoringCase(name, "host"): .host
    case 6 where equalsIgnoringCase(name, "expect"): .expect
    case 14 where equalsIgnoringCase(name, "content-length"): .contentLength
    case 17 where equalsIgnoringCase(name, "transfer-encoding"): .transferEncoding
    default: .other
    }
  }

  /// The comma-separated elements of a field value, each without surrounding whitespace
  /// (empty elements are kept, so that callers can refuse them).
  private static func listItems(_ value: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    guard !value.isEmpty else { return [] }
    return value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
      item in
      var item = item
      while let first = item.first, isWhitespace(first) { item.removeFirst() }
      while let last = item.last, isWhitespace(last) { item.removeLast() }
      return item
    }
  }

  /// A transfer coding's name, without its parameters.
  private static func codingName(_ coding: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var name = coding.prefix { $0 != UInt8(ascii: ";") }
    while let last = name.last, isWhitespace(last) { name.removeLast() }
    return name
  }

  /// `1*DIGIT`; lengths beyond 18 digits are far past any body limit.
  private static func parseLength(_ text: ArraySlice<UInt8>) throws(FramingRejection) -> Int {
    guard !text.isEmpty, text.allSatisfy(isDigit) else { throw .badContentLength }
    let digits = text.drop { $0 == UInt8(ascii: "0") }
    guard digits.count <= 18 else { throw .bodyTooLarge }
    return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
  }
}
