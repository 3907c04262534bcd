// swift-tools-version:6.0
// The Hummingbird 2 peer of bench/peers/run: a package of its own, built only by the benchmark
// (never by the main Package.swift), so Storefront itself keeps no SwiftNIO dependency.
import PackageDescription

let package = Package(
  name: "hummingbird-peer",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1")
  ],
  targets: [
    .executableTarget(
      name: "HummingbirdPeer",
      dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
      swiftSettings: [.swiftLanguageMode(.v6)]
    )
  ]
)
