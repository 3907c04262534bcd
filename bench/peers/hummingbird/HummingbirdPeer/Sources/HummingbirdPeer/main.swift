// The Hummingbird 2 peer of bench/peers/run: GET /api/products/, /api/products/categories/ and
// /api/health/ on one NIO event loop thread, from bodies Storefront served (files written by the
// driver).
//
//   HummingbirdPeer --port N --products FILE --categories FILE [--codable]
//
// Default: the files' bytes, held by an actor (`CatalogBytes`). With --codable the files are
// decoded once into Codable structs (`CatalogModel`) and every request encodes them again.
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

struct Options {
  var port = 8080
  var products = ""
  var categories = ""
  var codable = false

  init(_ arguments: [String]) throws {
    var rest = arguments[...]
    while let flag = rest.popFirst() {
      switch flag {
      case "--codable": codable = true
      case "--port", "--products", "--categories":
        guard let value = rest.popFirst() else {
          throw UsageError(message: "\(flag) needs a value")
        }
        if flag == "--port" {
          guard let number = Int(value), (1...65535).contains(number) else {
            throw UsageError(message: "bad --port \(value)")
          }
          port = number
        } else if flag == "--products" {
          products = value
        } else {
          categories = value
        }
      default: throw UsageError(message: "unknown argument \(flag)")
      }
    }
    if products.isEmpty || categories.isEmpty {
      throw UsageError(message: "--products FILE and --categories FILE are required")
    }
  }
}

struct UsageError: Error, CustomStringConvertible {
  var message: String
  var description: String { "HummingbirdPeer: \(message)" }
}

func jsonResponse(_ body: ByteBuffer) -> Response {
  Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}

let options: Options
do {
  options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
  FileHandle.standardError.write(Data("\(error)\n".utf8))
  exit(2)
}
let productBytes = try Data(contentsOf: URL(fileURLWithPath: options.products))
let categoryBytes = try Data(contentsOf: URL(fileURLWithPath: options.categories))
let health = ByteBuffer(string: #"{"status":"ok"}"#)

let router = Router()
router.get("/api/health/") { _, _ in jsonResponse(health) }
if options.codable {
  let model = CatalogModel(
    products: try JSONDecoder().decode([Product].self, from: productBytes),
    categories: try JSONDecoder().decode([Category].self, from: categoryBytes))
  router.get("/api/products/") { request, context in
    try context.responseEncoder.encode(await model.productList(), from: request, context: context)
  }
  router.get("/api/products/categories/") { request, context in
    try context.responseEncoder.encode(await model.categoryList(), from: request, context: context)
  }
} else {
  let cache = CatalogBytes(
    products: ByteBuffer(bytes: productBytes), categories: ByteBuffer(bytes: categoryBytes))
  router.get("/api/products/") { _, _ in jsonResponse(await cache.productList()) }
  router.get("/api/products/categories/") { _, _ in jsonResponse(await cache.categoryList()) }
}

let app = Application(
  router: router,
  configuration: .init(address: .hostname("127.0.0.1", port: options.port)),
  eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1))
)
try await app.runService()
