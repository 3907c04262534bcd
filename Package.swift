// swift-tools-version: 6.2
import PackageDescription

/// Release builds optimize across our own modules, so that the generic router, headers and
/// JSON helpers are specialized where the hot path calls them.
let crossModule: [SwiftSetting] = [
  .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
  name: "Storefront",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "storefront", targets: ["storefront"]),
    .library(name: "StorefrontKit", targets: ["Storefront"]),
    // libstorefront-embed.so: the C API of include/storefront.h, for hosts that embed
    // Storefront. (Not "storefront": SwiftPM product names are unique across kinds, and the
    // executable has that name.)
    .library(name: "storefront-embed", type: .dynamic, targets: ["StorefrontC"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(
      url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON"]),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CLibevent",
      pkgConfig: "libevent_pthreads",
      providers: [.apt(["libevent-dev"])]
    ),
    // libpq, for the PostgreSQL event log shared by several nodes.
    .systemLibrary(
      name: "CLibpq",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),
    // Locks, threads, clocks, timestamps and hex: one of each, for every layer (pthread-based,
    // so ThreadSanitizer sees the locks).
    .target(name: "Primitives", swiftSettings: crossModule),
    .target(name: "JSON", dependencies: ["Primitives"], swiftSettings: crossModule),
    .target(
      name: "EventHTTP",
      dependencies: [
        "CLibevent", "Primitives", .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: crossModule),
    .target(
      name: "EventLog",
      dependencies: [
        "CLibpq", "JSON", "Primitives", .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: crossModule),
    .target(
      name: "StorefrontCore",
      dependencies: [
        "JSON", "Primitives",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "CryptoExtras", package: "swift-crypto"),
      ],
      swiftSettings: crossModule
    ),
    .target(
      name: "Storefront",
      dependencies: [
        "EventHTTP", "EventLog", "StorefrontCore", "JSON", "Primitives",
        .product(name: "Configuration", package: "swift-configuration"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: crossModule
    ),
    .executableTarget(
      name: "storefront",
      dependencies: [
        "Storefront", "Primitives",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // The `@_cdecl` functions behind include/storefront.h. The version script keeps
    // libstorefront-embed.so's dynamic symbol table to the `storefront_*` functions.
    .target(
      name: "StorefrontC",
      dependencies: [
        "Storefront", "EventHTTP", "EventLog", "CLibevent", "Primitives",
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["exports.map"],
      linkerSettings: [
        .unsafeFlags([
          "-Xlinker",
          "--version-script=\(Context.packageDirectory)/Sources/StorefrontC/exports.map",
        ])
      ]
    ),
    .testTarget(name: "JSONTests", dependencies: ["JSON"]),
    // Builds and runs the libFuzzer targets of fuzz/ (through fuzz/run, outside SwiftPM).
    .testTarget(name: "FuzzTests"),
    // glibc's mallinfo2 for tests that check the server does not leak (Swift cannot import it).
    .target(name: "CMallocStats", path: "Tests/CMallocStats"),
    .target(name: "HTTPTestSupport", dependencies: ["CMallocStats"], path: "Tests/HTTPTestSupport"),
    .testTarget(
      name: "EventHTTPTests",
      dependencies: ["EventHTTP", "CLibevent", "HTTPTestSupport", "Primitives"]),
    .testTarget(
      name: "EventLogTests",
      dependencies: [
        "EventLog", "JSON", "EventLogTestSupport", "EventLogCrashChild", "FaultInjection",
        "Primitives",
      ]),
    // Builds Tests/FaultInjection/faultshim.c (an LD_PRELOAD library that fails chosen writes
    // and syncs of the event log) for the write-failure tests' child processes.
    .target(name: "FaultInjection", path: "Tests/FaultInjection", exclude: ["faultshim.c"]),
    // Shared by the EventLog tests, their child process and the benchmark.
    .target(
      name: "EventLogTestSupport", dependencies: ["EventLog", "JSON"],
      path: "Tests/EventLogTestSupport"),
    // The child process the EventLog tests kill, lock against and starve of disk space.
    .executableTarget(
      name: "EventLogCrashChild", dependencies: ["EventLog", "EventLogTestSupport"],
      path: "Tests/EventLogCrashChild"),
    .executableTarget(
      name: "EventLogBench",
      dependencies: [
        "EventLog", "JSON", "EventLogTestSupport", "Primitives", "Storefront", "StorefrontCore",
      ],
      path: "bench/eventlog/Sources"),
    .testTarget(
      name: "StorefrontCoreTests",
      dependencies: ["StorefrontCore", "JSON", "Primitives"]),
    .testTarget(
      name: "StorefrontTests",
      dependencies: [
        "Storefront", "StorefrontCore", "EventLog", "JSON", "HTTPTestSupport", "FaultInjection",
        "Primitives",
      ]),
    .testTarget(
      name: "EmbeddingTests",
      dependencies: ["HTTPTestSupport"],
      exclude: ["CPrograms"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
