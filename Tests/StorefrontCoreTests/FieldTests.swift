import JSON
import Testing

@testable import StorefrontCore

@Suite struct FieldTests {
  @Test(arguments: [
    (JSONValue.number("5"), 5), (.string("5"), 5), (.string(" 7 "), 7), (.number("5.0"), 5),
    (.string("5.00"), 5), (.number("1e3"), 1000), (.string("-3"), -3),
  ])
  func integerAccepts(input: JSONValue, value: Int) throws {
    #expect(try FieldReader.integerField(input, minValue: nil, maxValue: nil) == value)
  }

  @Test(arguments: [
    JSONValue.number("5.5"), .string("abc"), .string("5.5"), .string("1e3"), .bool(true),
    .array([.number("1")]), .object([:]), .string(""),
  ])
  func integerRefuses(input: JSONValue) {
    #expect(throws: FieldMessages("A valid integer is required.")) {
      try FieldReader.integerField(input, minValue: nil, maxValue: nil)
    }
  }

  @Test func integerBounds() {
    #expect(throws: FieldMessages("Ensure this value is greater than or equal to 1.")) {
      try FieldReader.integerField(.number("0"), minValue: 1, maxValue: 10)
    }
    #expect(throws: FieldMessages("Ensure this value is less than or equal to 10.")) {
      try FieldReader.integerField(.string("11"), minValue: 1, maxValue: 10)
    }
    #expect(throws: FieldMessages("Ensure this value is less than or equal to 10.")) {
      try FieldReader.integerField(
        .number("123456789012345678901234567890"), minValue: 1, maxValue: 10)
    }
    #expect(throws: FieldMessages("This field may not be null.")) {
      try FieldReader.integerField(.null, minValue: 1, maxValue: 10)
    }
  }

  @Test func charField() throws {
    #expect(
      try FieldReader.charField(.string("  bob "), allowBlank: false, maxLength: 5, trim: true)
        == "bob")
    #expect(
      try FieldReader.charField(.number("42"), allowBlank: false, maxLength: nil, trim: true)
        == "42")
    #expect(
      try FieldReader.charField(.string(" pw "), allowBlank: false, maxLength: nil, trim: false)
        == " pw ")
    #expect(
      try FieldReader.charField(.string("  "), allowBlank: true, maxLength: nil, trim: true) == "")
    #expect(throws: FieldMessages("This field may not be blank.")) {
      try FieldReader.charField(.string("   "), allowBlank: false, maxLength: nil, trim: true)
    }
    #expect(throws: FieldMessages("Not a valid string.")) {
      try FieldReader.charField(.bool(false), allowBlank: false, maxLength: nil, trim: true)
    }
    #expect(throws: FieldMessages("Not a valid string.")) {
      try FieldReader.charField(.array([]), allowBlank: true, maxLength: nil, trim: true)
    }
    #expect(throws: FieldMessages("Ensure this field has no more than 3 characters.")) {
      try FieldReader.charField(.string("éèêë"), allowBlank: false, maxLength: 3, trim: true)
    }
  }

  @Test func primaryKeys() throws {
    #expect(try FieldReader.primaryKeyField(.number("3")).id == 3)
    #expect(try FieldReader.primaryKeyField(.string("3")).id == 3)
    #expect(throws: FieldMessages("Incorrect type. Expected pk value, received str.")) {
      try FieldReader.primaryKeyField(.string("abc"))
    }
    #expect(throws: FieldMessages("Incorrect type. Expected pk value, received bool.")) {
      try FieldReader.primaryKeyField(.bool(true))
    }
    #expect(throws: FieldMessages("Incorrect type. Expected pk value, received list.")) {
      try FieldReader.primaryKeyField(.array([]))
    }
    #expect(throws: FieldMessages("Incorrect type. Expected pk value, received dict.")) {
      try FieldReader.primaryKeyField(.object([:]))
    }
    let input = try FieldReader.primaryKeyField(.number("99"))
    #expect(FieldReader.doesNotExist(input) == "Invalid pk \"99\" - object does not exist.")
  }

  @Test func bodyMustBeAnObject() {
    #expect(
      throws: ShopError.validation(.nonField("Invalid data. Expected a dictionary, but got list."))
    ) {
      try FieldReader.object(.array([]))
    }
    #expect(
      throws: ShopError.validation(.nonField("Invalid data. Expected a dictionary, but got str."))
    ) {
      try FieldReader.object(.string("x"))
    }
  }

  @Test func choices() {
    var reader = FieldReader(JSONObject([.init("status", .string("foo"))]))
    #expect(reader.choice("status", ["paid"]) == nil)
    #expect(reader.errors.body == fieldError("status", "\"foo\" is not a valid choice."))
  }

  @Test func usernames() {
    #expect(UserValidation.isValidUsername("a.b@c+d-e_f9"))
    #expect(UserValidation.isValidUsername("Zoë"))
    #expect(!UserValidation.isValidUsername("bad name"))
    #expect(!UserValidation.isValidUsername("semi;colon"))
  }

  @Test func emails() {
    for good in ["test@example.com", "a.b+c@sub.example.co", "x@localhost", "o'neil@ex-ample.org"] {
      #expect(UserValidation.isValidEmail(good), "\(good)")
    }
    for bad in [
      "", "plain", "@example.com", "a@", "a@b", "a..b@example.com", "a@-x.com", "a b@x.com",
      "a@example.c", "a@exam_ple.com",
    ] {
      #expect(!UserValidation.isValidEmail(bad), "\(bad)")
    }
  }
}

@Suite struct ValidationErrorTests {
  @Test func nullBodyIsNoDataProvided() {
    #expect(throws: ShopError.validation(.nonField("No data provided"))) {
      try FieldReader.object(.null)
    }
  }

  @Test func summaryFlattensNestedErrors() {
    let error = ValidationError(
      body: .object([
        "username": .array([.string("A user with that username already exists.")]),
        "items": .object(["1": .object(["quantity": .array([.string("Bad.")])])]),
      ]))
    #expect(
      error.summary == "username: A user with that username already exists.\nitems.1.quantity: Bad."
    )
  }

  @Test func errorMapping() {
    #expect(ShopError.notAuthenticated.httpStatus == 401)
    #expect(
      ShopError.notAuthenticated.body
        == .object(["detail": .string("Authentication credentials were not provided.")]))
    #expect(ShopError.invalidToken.body == .object(["detail": .string("Invalid token.")]))
    #expect(ShopError.invalidToken.wantsAuthenticateHeader)
    #expect(
      ShopError.forbidden.body
        == .object(["detail": .string("You do not have permission to perform this action.")]))
    #expect(ShopError.unavailable(reason: "disk full").httpStatus == 503)
    #expect(ShopError.validation(.nonField("x")).httpStatus == 400)
  }
}
