import JSON

/// The field rules of registration and `createsuperuser`, in Django's words.
enum UserValidation {
  static let usernameMaxLength = 150
  static let emailMaxLength = 254
  static let passwordMinLength = 8

  /// Reads `{username, email, password}`, collecting every field's errors; checks uniqueness with
  /// `isTaken`.
  static func registration(
    _ body: JSONValue, isTaken: (String) -> Bool
  ) throws(ShopError) -> (username: String, email: String, password: String) {
    var reader = FieldReader(try FieldReader.object(body))
    let username = reader.string("username", maxLength: usernameMaxLength)
    if let username {
      if !isValidUsername(username) {
        reader.errors.add(
          "username",
          "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
        )
      } else if isTaken(username) {
        reader.errors.add("username", "A user with that username already exists.")
      }
    }
    let email = reader.string("email", maxLength: emailMaxLength)
    if let email, !isValidEmail(email) {
      reader.errors.add("email", "Enter a valid email address.")
    }
    let password = reader.string("password", trim: false)
    if let password, password.unicodeScalars.count < passwordMinLength {
      reader.errors.add(
        "password",
        "This password is too short. It must contain at least \(passwordMinLength) characters.")
    }
    try reader.errors.throwIfAny()
    return (username!, email!, password!)
  }

  /// Django's `UnicodeUsernameValidator`: `^[\w.@+-]+\Z`.
  static func isValidUsername(_ username: String) -> Bool {
    !username.isEmpty
      && username.unicodeScalars.allSatisfy { scalar in
        "@.+-_".unicodeScalars.contains(scalar) || isWordCharacter(scalar)
      }
  }

  private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .decimalNumber, .letterNumber, .otherNumber:
      true
    default:
      false
    }
  }

  /// Django's `EmailValidator` for ASCII addresses: a dot-atom local part, and a domain of
  /// hostname labels with a TLD of 2-63 characters (or `localhost`, or an IP literal).
  static func isValidEmail(_ email: String) -> Bool {
    guard email.utf8.count <= emailMaxLength, let at = email.lastIndex(of: "@") else {
      return false
    }
    let user = email[..<at]
    let domain = email[email.index(after: at)...]
    return isValidLocalPart(user) && isValidDomain(domain)
  }

  private static let atomCharacters = Set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{}|~-".utf8)

  private static func isValidLocalPart(_ user: Substring) -> Bool {
    let atoms = user.split(separator: ".", omittingEmptySubsequences: false)
    return !atoms.isEmpty
      && atoms.allSatisfy { atom in
        !atom.isEmpty && atom.utf8.allSatisfy { atomCharacters.contains($0) }
      }
  }

  private static func isValidDomain(_ domain: Substring) -> Bool {
    if domain == "localhost" { return true }
    if domain.hasPrefix("[") && domain.hasSuffix("]") {
      let inner = domain.dropFirst().dropLast()
      let parts = inner.split(separator: ".", omittingEmptySubsequences: false)
      return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil && $0.count <= 3 }
    }
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2, let tld = labels.last else { return false }
    let alphanumeric = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    for label in labels.dropLast() {
      let bytes = Array(label.utf8)
      guard (1...63).contains(bytes.count), alphanumeric.contains(bytes.first!),
        alphanumeric.contains(bytes.last!),
        bytes.allSatisfy({ alphanumeric.contains($0) || $0 == UInt8(ascii: "-") })
      else { return false }
    }
    let tldBytes = Array(tld.utf8)
    return (2...63).contains(tldBytes.count) && tldBytes.last != UInt8(ascii: "-")
      && tldBytes.allSatisfy({ alphanumeric.contains($0) || $0 == UInt8(ascii: "-") })
  }
}
