import Benchmark
import CORS
import CORSPolicyFile
import HTTPTypes

// How the cost of building a policy and of choosing a route grows with their size: each size
// is ten times the previous one, so a linear cost shows as a 10× step between neighbours
// (the issue-15 verdict; BENCHMARKS.md reports the ratios). One iteration is one whole lint
// (file text to validated policy) or one request.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    for count in [1_000, 10_000, 100_000] {
        let origins = (0..<count).map { "\"https://tenant\($0).example.com\"" }.joined(separator: ",")
        let text = "{\"origins\":[\(origins)],\"credentials\":true}"
        Benchmark("lint: \(count) exact origins") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try CORSPolicy(PolicyFile.parse(text, format: .json)))
            }
        }
    }

    for count in [100, 1_000, 10_000] {
        let routes = (0..<count).map { "{\"path\":\"/r\($0)/**\",\"methods\":[\"GET\"]}" }.joined(separator: ",")
        let text = "{\"origins\":[\"https://app.example.com\"],\"routes\":[\(routes)]}"
        Benchmark("lint: \(count) routes") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try CORSPolicy(PolicyFile.parse(text, format: .json)))
            }
        }
    }

    for count in [1_000, 10_000, 100_000] {
        let keys = (0..<count).map { "\"unknownKey\($0)\":1" }.joined(separator: ",")
        let text = "{\"origins\":[\"https://app.example.com\"],\(keys)}"
        Benchmark("lint: \(count) unknown keys") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? PolicyFile.parse(text, format: .json))
            }
        }
    }

    // The seed's polynomial shapes: `/**/x/**/y` against `/x` repeated, and a deep path
    // against the README's `/public/**`.
    let hostile = try! CORSPolicy(
        CORSConfiguration(
            origins: ["https://app.example.com"],
            routes: [
                CORSRouteConfiguration(path: "/**/x/**/x/**/y", origins: ["https://a.example.com"]),
                CORSRouteConfiguration(path: "/public/**", origins: ["*"]),
            ]))
    for count in [1_000, 10_000, 100_000] {
        let path = String(repeating: "/x", count: count)
        Benchmark("route: /x × \(count)", configuration: .init(timeUnits: .microseconds)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(hostile.evaluate(method: .get, path: path, headerFields: [.origin: "https://app.example.com"]))
            }
        }
    }
}
