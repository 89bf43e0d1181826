// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "siko-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "siko", targets: ["siko"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Pure model and rules, and the store's role protocols: Foundation and hashing, no I/O.
        .target(name: "SikoModel", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Reading Rules/ and Channels/ with file, line and field in every error.
        .target(name: "SikoConfig", dependencies: [
            "SikoModel",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // CAP 1.2: reading alerts (libxml2 through FoundationXML, no DTD), mapping them onto events, writing events as alerts.
        .target(name: "SikoCAP", dependencies: ["SikoModel"]),
        // The embedded engine: the store's roles on SQLite (GRDB).
        .target(name: "SikoSQLite", dependencies: [
            "SikoModel",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // libcurl for SMTP; `make deps` installs libcurl4-openssl-dev.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "SikoChannels", dependencies: [
            "SikoModel", "SikoCAP", "CCurl",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "SikoDelivery", dependencies: [
            "SikoModel", "SikoChannels",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The application core: one service per use case, called by the API, the CLI and the console.
        .target(name: "SikoCore", dependencies: [
            "SikoModel", "SikoConfig", "SikoChannels", "SikoDelivery", "SikoCAP",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
        ]),
        // The HTTP front: routes, views and middleware over the core's services.
        .target(name: "SikoServer", dependencies: [
            "SikoModel", "SikoCore", "SikoChannels",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The web console: server-rendered pages (German first) over the same services as the API.
        .target(name: "SikoConsole", dependencies: [
            "SikoModel", "SikoCore", "SikoServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Templates"), .copy("Static")]),
        // Real parts for tests and benchmarks (a Kannel on loopback, the shipped Rules/); never in the product.
        .target(name: "SikoTestSupport", dependencies: [
            "SikoModel", "SikoConfig", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // A whole gateway on a fresh store, real receivers and an SMTP server, for the front ends' tests.
        .target(name: "SikoTestGateway", dependencies: [
            "SikoModel", "SikoConfig", "SikoSQLite", "SikoCore", "SikoServer", "SikoTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "siko", dependencies: [
            "SikoServer", "SikoConsole", "SikoCore", "SikoSQLite", "SikoPostgres", "SikoConfig", "SikoChannels", "SikoCAP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The store's roles on PostgreSQL (postgres-nio, no ORM), for several gateways on one database.
        .target(name: "SikoPostgres", dependencies: [
            "SikoModel",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The allocator's own count of bytes in use, for the memory figures of `make bench`.
        .target(name: "CHeapStats"),
        // `siko-bench peer`'s floor: the gateway's API on the same libraries, keeping nothing.
        .executableTarget(name: "siko-floor", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "siko-bench", dependencies: [
            "SikoModel", "CHeapStats", "SikoConfig", "SikoSQLite", "SikoCore", "SikoChannels", "SikoServer", "SikoTestSupport", "SikoCAP",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // A test target per module, then the front ends end to end and the command line.
        .testTarget(name: "SikoPostgresTests", dependencies: [
            "SikoPostgres", "SikoTestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "SikoModelTests", dependencies: [
            "SikoModel", "SikoTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "SikoCAPTests", dependencies: ["SikoCAP", "SikoModel", "SikoConfig", "SikoTestSupport"]),
        .testTarget(name: "SikoConfigTests", dependencies: ["SikoConfig", "SikoModel", "SikoChannels", "SikoTestSupport"]),
        .testTarget(name: "SikoChannelsTests", dependencies: ["SikoChannels", "SikoModel", "SikoTestSupport"]),
        .testTarget(name: "SikoDeliveryTests", dependencies: ["SikoDelivery", "SikoChannels", "SikoModel", "SikoTestSupport"]),
        .testTarget(name: "SikoSQLiteTests", dependencies: ["SikoSQLite", "SikoModel", "SikoCore", "SikoChannels", "SikoTestSupport", "SikoTestGateway"]),
        .testTarget(name: "SikoCoreTests", dependencies: ["SikoCore", "SikoModel", "SikoConfig", "SikoTestSupport"]),
        .testTarget(name: "SikoServerTests", dependencies: [
            "SikoServer", "SikoCore", "SikoModel", "SikoConfig", "SikoSQLite", "SikoChannels", "SikoTestSupport", "SikoTestGateway",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "SikoConsoleTests", dependencies: [
            "SikoConsole", "SikoServer", "SikoCore", "SikoModel", "SikoConfig", "SikoSQLite", "SikoTestSupport", "SikoTestGateway",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "SikoEndToEndTests", dependencies: [
            "SikoServer", "SikoCore", "SikoModel", "SikoConfig", "SikoSQLite", "SikoChannels", "SikoDelivery", "SikoTestSupport", "SikoTestGateway",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "SikoCLITests", dependencies: [
            "SikoModel", "SikoCore", "SikoServer", "SikoSQLite", "SikoPostgres", "SikoTestSupport", "SikoTestGateway",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The console's own pieces: sessions in the store (the persist driver, the lifetime), later its pages.
        // The store's contract: one suite over the role protocols that every engine runs; an engine
        // joins by one case of `StoreEngine` (opening a fresh store, refusing and editing audit rows).
        .testTarget(name: "SikoStoreContractTests", dependencies: [
            "SikoModel", "SikoSQLite", "SikoPostgres", "SikoCore", "SikoTestSupport",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
