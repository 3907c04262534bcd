import JSON
import Primitives

/// A registered account. Staff users are the API's admins.
public struct User: Sendable, Hashable, Identifiable {
  /// Positive id, assigned in sequence, never reused.
  public var id: Int
  /// Unique, 1-150 characters of letters, digits and `@.+-_`.
  public var username: String
  public var email: String
  /// The Django-format hash `pbkdf2_sha256$<iterations>$<salt>$<base64>`; never in a response.
  public var passwordHash: String
  /// Staff users may create catalog entries, see all orders and change their status.
  public var isStaff: Bool
  public var dateJoined: Timestamp

  public init(
    id: Int, username: String, email: String, passwordHash: String, isStaff: Bool,
    dateJoined: Timestamp
  ) {
    self.id = id
    self.username = username
    self.email = email
    self.passwordHash = passwordHash
    self.isStaff = isStaff
    self.dateJoined = dateJoined
  }

  /// The body of a successful registration: `{"id", "username", "email"}`.
  public var registrationJSON: JSONValue {
    .object(["id": .int(id), "username": .string(username), "email": .string(email)])
  }
}

/// A live API token, known only by the SHA-256 of its text.
public struct TokenRecord: Sendable, Hashable {
  /// Lowercase hex SHA-256 of the token text.
  public var digest: String
  public var userId: Int
  public var createdAt: Timestamp
}

/// The result of a successful login: a new token, shown once.
public struct LoginResult: Sendable, Hashable {
  /// The token text (40 lowercase hex characters); only its SHA-256 is kept.
  public var token: String
  public var user: User

  /// `{"token", "user_id", "username"}`.
  public var json: JSONValue {
    .object([
      "token": .string(token), "user_id": .int(user.id), "username": .string(user.username),
    ])
  }
}
