import Benchmark
import CORS
import CORSBenchFixtures
import HTTPTypes

// Engine operations: the decision alone, and the decision with the response header fields it
// produces (what a middleware does). Each iteration is one request.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )

    for engineCase in Fixtures.engineCases {
        engineCase.verify()
        Benchmark("decide: \(engineCase.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(engineCase.decide())
            }
        }
    }
    let response = Fixtures.handlerResponseFields
    for engineCase in Fixtures.engineCases.prefix(7) {
        Benchmark("decide+apply: \(engineCase.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(engineCase.decideAndApply(to: response))
            }
        }
    }
}
