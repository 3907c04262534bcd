import JSON

/// Builders for the JSON Schema values (draft 2020-12, the dialect of OpenAPI 3.1) that the
/// OpenAPI document is made of.
///
/// ```swift
/// JSONSchema.object(["id": JSONSchema.integer(minimum: 1)], required: ["id"])
/// // {"type":"object","properties":{"id":{"type":"integer","minimum":1}},"required":["id"],
/// //  "additionalProperties":false}
/// ```
enum JSONSchema {
  /// `{"$ref": "#/components/schemas/<name>"}`.
  static func ref(_ name: String) -> JSONValue {
    .object(["$ref": .string("#/components/schemas/\(name)")])
  }

  static func string(
    minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, format: String? = nil,
    description: String? = nil
  ) -> JSONValue {
    members([
      ("type", .string("string")), ("minLength", minLength.map(JSONValue.int)),
      ("maxLength", maxLength.map(JSONValue.int)), ("pattern", pattern.map(JSONValue.string)),
      ("format", format.map(JSONValue.string)), ("description", description.map(JSONValue.string)),
    ])
  }

  /// A string that is one of `values`.
  static func enumeration(_ values: [String], description: String? = nil) -> JSONValue {
    members([
      ("type", .string("string")), ("enum", .array(values.map(JSONValue.string))),
      ("description", description.map(JSONValue.string)),
    ])
  }

  /// A string that is exactly `value`.
  static func constant(_ value: String) -> JSONValue {
    .object(["type": .string("string"), "const": .string(value)])
  }

  static func integer(
    minimum: Int? = nil, maximum: Int? = nil, description: String? = nil
  ) -> JSONValue {
    members([
      ("type", .string("integer")), ("minimum", minimum.map(JSONValue.int)),
      ("maximum", maximum.map(JSONValue.int)), ("description", description.map(JSONValue.string)),
    ])
  }

  static let number = JSONValue.object(["type": .string("number")])
  static let boolean = JSONValue.object(["type": .string("boolean")])
  /// Any JSON value.
  static let any = JSONValue.object([:])

  static func array(_ items: JSONValue, minItems: Int? = nil) -> JSONValue {
    members([
      ("type", .string("array")), ("items", items), ("minItems", minItems.map(JSONValue.int)),
    ])
  }

  /// An object of `properties`. `closed` forbids other members (for what the server writes,
  /// so that a member it starts to send without a description fails the schema).
  static func object(
    _ properties: KeyValuePairs<String, JSONValue>, required: [String], closed: Bool = true,
    description: String? = nil
  ) -> JSONValue {
    members([
      ("type", .string("object")), ("description", description.map(JSONValue.string)),
      ("properties", .object(JSONObject(properties.map { JSONObject.Member($0.key, $0.value) }))),
      ("required", required.isEmpty ? nil : .array(required.map(JSONValue.string))),
      ("additionalProperties", closed ? .bool(false) : nil),
    ])
  }

  /// An object whose every member's value matches `values` (a map keyed by any name).
  static func map(_ values: JSONValue, minProperties: Int? = nil) -> JSONValue {
    members([
      ("type", .string("object")), ("additionalProperties", values),
      ("minProperties", minProperties.map(JSONValue.int)),
    ])
  }

  /// A value matching at least one of `schemas` (one schema stands for itself).
  static func anyOf(_ schemas: [JSONValue]) -> JSONValue {
    schemas.count == 1 ? schemas[0] : .object(["anyOf": .array(schemas)])
  }

  /// `schema` or `null`.
  static func nullable(_ schema: JSONValue) -> JSONValue {
    .object(["anyOf": .array([schema, .object(["type": .string("null")])])])
  }

  /// An object of the members whose value is not nil, in order.
  static func members(_ pairs: [(String, JSONValue?)]) -> JSONValue {
    .object(JSONObject(pairs.compactMap { key, value in value.map { JSONObject.Member(key, $0) } }))
  }
}
