/// What the framing guard decided about one request it handed to evhttp, in the order the
/// requests were handed on (one entry per request evhttp will pass to the generic callback).
public struct FramedRequest: Sendable, Equatable {
  /// The method as the client sent it, when evhttp was given a placeholder method instead
  /// (methods evhttp does not know, and `CONNECT`).
  public var methodOverride: String?
  /// The request target as the client sent it, when evhttp was given `/` instead (targets
  /// evhttp would read as an authority, such as `//x`).
  public var targetOverride: String?
  /// Body bytes this request holds in the server's ``BodyBudget`` until it is answered.
  public var reservedBytes: Int
  /// Set when the request was refused: evhttp was handed a stand-in request, and the reply
  /// must be this rejection (JSON).
  public var rejection: FramingRejection?
  /// Whether the connection closes after the reply (every rejection but a body refused
  /// before it was sent, which is read and dropped so the client gets the reply).
  public var closesConnection: Bool

  public init(
    methodOverride: String? = nil, targetOverride: String? = nil, reservedBytes: Int = 0,
    rejection: FramingRejection? = nil, closesConnection: Bool = false
  ) {
    self.methodOverride = methodOverride
    self.targetOverride = targetOverride
    self.reservedBytes = reservedBytes
    self.rejection = rejection
    self.closesConnection = closesConnection
  }
}
