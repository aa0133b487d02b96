// swift-tools-version: 6.3
// Benchmarks for swift-cors: a separate package, so that users and CI never build it.
// Run everything with `Benchmarks/run.sh` (see BENCHMARKS.md).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-cors-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-cors", path: "..", traits: ["Hummingbird", "Vapor", "PolicyFile"]),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        // Policies and requests shared by every benchmark, so all of them measure the same things.
        .target(
            name: "CORSBenchFixtures",
            dependencies: [
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CORSEngineBenchmarks",
            dependencies: [
                "CORSBenchFixtures",
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CORSEngineBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CORSMiddlewareBenchmarks",
            dependencies: [
                "CORSBenchFixtures",
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "CORSHummingbird", package: "swift-cors"),
                .product(name: "CORSVapor", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/CORSMiddlewareBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CORSScalingBenchmarks",
            dependencies: [
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "CORSPolicyFile", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CORSScalingBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Runs one engine operation N times: `valgrind --tool=callgrind` over N and over 0 gives
        // the exact instruction count of one operation.
        .executableTarget(
            name: "cors-callgrind-driver",
            dependencies: [
                "CORSBenchFixtures",
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // Whole-server throughput under wrk: same binary, only the middleware changes.
        .executableTarget(
            name: "cors-bench-server",
            dependencies: [
                "CORSBenchFixtures",
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "CORSHummingbird", package: "swift-cors"),
                .product(name: "CORSVapor", package: "swift-cors"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
