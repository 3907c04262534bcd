/// A failure of a libevent call or of socket setup, with what was being done.
public struct EventHTTPError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
