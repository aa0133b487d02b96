import Benchmark
import CORS
import CORSBenchFixtures
import CORSHummingbird
import CORSVapor
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Vapor

// The same requests through our middlewares and through the frameworks' own `CORSMiddleware`,
// each called directly with a trivial next handler; "none" calls the handler alone.
// The built-ins refuse nothing (they answer every origin, method and header the same way), so
// on refused rows they do less than ours: the figure is what a correct answer costs.

/// The engine cases the middlewares are compared on (the origin-list sizes are engine-only:
/// neither built-in can take a list of 1,000 origins or a pattern).
let middlewareCaseNames = [
    "not CORS", "actual allowed", "actual refused", "preflight allowed", "preflight refused: origin",
    "preflight refused: method", "preflight refused: header", "ACRH 1,024 commas", "ACRH 64 KiB of names",
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .instructions, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 500
    )
    let cases = middlewareCaseNames.map { Fixtures.engineCase(named: $0)! }
    hummingbirdBenchmarks(cases)
    vaporBenchmarks(cases)
}

// MARK: Hummingbird

func hummingbirdBenchmarks(_ cases: [EngineCase]) {
    typealias Context = BasicRequestContext
    let ours = CORSHummingbirdMiddleware<Context>(Fixtures.policy())
    let builtin = Hummingbird.CORSMiddleware<Context>(
        allowOrigin: .oneOf(Fixtures.allowedOrigin),
        allowHeaders: [.contentType, .authorization, HTTPField.Name("X-Api-Key")!],
        allowMethods: [.get, .post, .put, .delete],
        allowCredentials: true,
        exposedHeaders: ["X-Total-Count"],
        maxAge: .seconds(600))
    let channel = EmbeddedChannel()
    let context = Context(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "bench")))
    let next: @Sendable (Request, Context) async throws -> Response = { _, _ in
        Response(status: .ok, headers: Fixtures.handlerResponseFields, body: .init())
    }
    for engineCase in cases {
        let request = Request(
            head: HTTPRequest(
                method: engineCase.method, scheme: "http", authority: "api.example.com", path: engineCase.path,
                headerFields: engineCase.fields),
            body: .init(buffer: ByteBuffer()))
        Benchmark("hummingbird none: \(engineCase.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try await next(request, context))
            }
        }
        Benchmark("hummingbird ours: \(engineCase.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try await ours.handle(request, context: context, next: next))
            }
        }
        Benchmark("hummingbird built-in: \(engineCase.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try await builtin.handle(request, context: context, next: next))
            }
        }
    }
}

// MARK: Vapor

/// One Vapor application for every Vapor benchmark (requests need one; none is started).
actor VaporHost {
    static let shared = VaporHost()
    private var application: Vapor.Application?

    func app() async throws -> Vapor.Application {
        if let application { return application }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let made = try await Vapor.Application.make(.testing, logger: logger)
        application = made
        return made
    }
}

struct AsyncHandler: AsyncResponder {
    func respond(to request: Vapor.Request) async throws -> Vapor.Response {
        Vapor.Response(status: .ok, headers: ["Content-Type": "application/json", "Content-Length": "2"])
    }
}

struct FutureHandler: Responder {
    func respond(to request: Vapor.Request) -> EventLoopFuture<Vapor.Response> {
        request.eventLoop.makeSucceededFuture(
            Vapor.Response(status: .ok, headers: ["Content-Type": "application/json", "Content-Length": "2"]))
    }
}

func vaporBenchmarks(_ cases: [EngineCase]) {
    let ours = CORSVaporMiddleware(Fixtures.policy())
    let builtin = Vapor.CORSMiddleware(
        configuration: .init(
            allowedOrigin: .any([Fixtures.allowedOrigin]),
            allowedMethods: [.GET, .POST, .PUT, .DELETE],
            allowedHeaders: [.contentType, .authorization, "X-Api-Key"],
            allowCredentials: true,
            cacheExpiration: 600,
            exposedHeaders: [HTTPHeaders.Name("X-Total-Count")]))
    // Everything runs inline on an embedded loop: no thread hop in any variant.
    let loop = EmbeddedEventLoop()
    for engineCase in cases {
        let headers = HTTPHeaders(engineCase.fields.map { ($0.name.rawName, $0.value) })
        let method = Vapor.HTTPMethod(rawValue: engineCase.method.rawValue)
        @Sendable func makeRequest() async throws -> Vapor.Request {
            let app = try await VaporHost.shared.app()
            return Vapor.Request(
                application: app, method: method, url: URI(path: engineCase.path), headers: headers, on: loop)
        }
        Benchmark("vapor none: \(engineCase.name)") { benchmark in
            let request = try await makeRequest()
            let next = AsyncHandler()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await next.respond(to: request))
            }
        }
        Benchmark("vapor ours: \(engineCase.name)") { benchmark in
            let request = try await makeRequest()
            let next = AsyncHandler()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await ours.respond(to: request, chainingTo: next))
            }
        }
        Benchmark("vapor built-in: \(engineCase.name)") { benchmark in
            let request = try await makeRequest()
            let next = FutureHandler()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await builtin.respond(to: request, chainingTo: next).get())
            }
        }
    }
}
