// swift-tools-version:6.1
// libFuzzer targets for every parser of outside bytes. Built only by scripts/fuzz, with
// `-sanitize=fuzzer,address`; see FUZZING.md.
import PackageDescription

let fuzzTargets = ["FuzzPolicyJSON", "FuzzPolicyYAML", "FuzzOrigin", "FuzzRoute", "FuzzRequest", "FuzzBrowser"]

let package = Package(
    name: "swift-cors-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-cors", path: "..", traits: ["PolicyFile"]),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "CORS", package: "swift-cors"),
                .product(name: "CORSPolicyFile", package: "swift-cors"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        )
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzSupport",
                    .product(name: "CORS", package: "swift-cors"),
                    .product(name: "CORSPolicyFile", package: "swift-cors"),
                    .product(name: "CORSBrowser", package: "swift-cors"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                ]
            )
        }
)
