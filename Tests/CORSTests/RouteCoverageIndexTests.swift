import Testing

@testable import CORS

/// The trie that finds an earlier covering route gives what comparing with every earlier route
/// gives (``RoutePattern/covers(_:)``, the definition), on every pattern built from a small
/// alphabet of segments, in every order.
@Suite struct RouteCoverageIndexTests {
    static let segments = ["a", "b", "*", "**"]

    /// Every pattern of up to three segments over `segments`, and `/`.
    static let patterns: [RoutePattern] = {
        var sources = ["/"]
        var frontier = [""]
        for _ in 0..<3 {
            frontier = frontier.flatMap { prefix in segments.map { prefix + "/" + $0 } }
            sources += frontier
        }
        return sources.map { try! RoutePattern($0) }
    }()

    @Test func findsTheFirstCoveringRouteAsTheDefinitionDoes() {
        // Several orders: a fixed shuffle per seed keeps the test repeatable.
        for seed in 0..<8 {
            var generator = SplitMix(seed: UInt64(seed))
            let order = Self.patterns.shuffled(using: &generator)
            var index = RouteCoverageIndex()
            for (position, pattern) in order.enumerated() {
                let expected = order[..<position].first { $0.covers(pattern) }
                #expect(
                    index.coveringPattern(of: pattern)?.source == expected?.source,
                    "\(pattern.source) after \(order[..<position].map(\.source))")
                index.insert(pattern)
            }
        }
    }
}

/// A small seeded generator, so the shuffles are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
