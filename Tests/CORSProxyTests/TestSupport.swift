import CORS
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import CORSProxy

/// Answers from a fixed table and records every question. A name not in the table fails: a test
/// never asks the real DNS.
final class MapResolver: Resolver {
    private let answers: [String: [[IPAddress]]]
    private let calls = NIOLockedValueBox<[String: Int]>([:])

    /// Each host maps to a list of answers, one per lookup; the last answer repeats.
    init(_ answers: [String: [[IPAddress]]]) {
        self.answers = answers
    }

    convenience init(single: [String: [String]]) {
        self.init(single.mapValues { [$0.map { IPAddress($0)! }] })
    }

    func resolve(host: String) async throws -> [IPAddress] {
        let count = calls.withLockedValue { calls in
            calls[host, default: 0] += 1
            return calls[host]!
        }
        guard let list = answers[host] else { throw ResolutionError(host: host, detail: "not in the test table") }
        return list[min(count, list.count) - 1]
    }

    func lookups(of host: String) -> Int { calls.withLockedValue { $0[host, default: 0] } }
}

/// Counts the requests that reached an upstream.
actor HitCounter {
    private(set) var hits = 0
    func hit() { hits += 1 }
}

enum TestUpstream {
    static let loopback = IPAddress("127.0.0.1")!

    /// An upstream with a few behaviours picked by path:
    /// - `/echo…`: 200, body lists the method, path and request fields (`name: value` lines), then
    ///   `body-bytes: N` for the request body it received.
    /// - `/cors`: sends its own `Access-Control-Allow-Origin: *`, credentials, and `Set-Cookie`.
    /// - `/redirect/CODE?to=URL`: that status with `Location: URL`.
    /// - `/slow`: waits 3 s.
    /// - `/bytes/N`: N bytes of `x`.
    /// - `/stream`: `hello`, streamed without a length (chunked).
    /// - `/trailers`: `hello`, chunked, ending with the trailer field `X-Checksum: abc`.
    static func application(hits: HitCounter = HitCounter()) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: Behaviour(hits: hits))
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet("upstream"))
    }

    struct Behaviour: RouterMiddleware {
        typealias Context = BasicRequestContext
        let hits: HitCounter

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            await hits.hit()
            let path = request.uri.path
            if path.hasPrefix("/echo") {
                var count = 0
                for try await buffer in request.body { count += buffer.readableBytes }
                var text = "\(request.method) \(request.uri)\n"
                if let authority = request.head.authority { text += "host: \(authority)\n" }
                for field in request.headers { text += "\(field.name.canonicalName): \(field.value)\n" }
                text += "body-bytes: \(count)\n"
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            if path == "/cors" {
                return Response(
                    status: .ok,
                    headers: [
                        .accessControlAllowOrigin: "*", .accessControlAllowCredentials: "true",
                        .setCookie: "session=secret", HTTPField.Name("X-Custom")!: "1",
                    ],
                    body: .init(byteBuffer: ByteBuffer(string: "ok")))
            }
            if path.hasPrefix("/redirect/"), let code = Int(path.dropFirst("/redirect/".count)) {
                let target = request.uri.queryParameters.get("to") ?? "/echo"
                return Response(
                    status: .init(code: code), headers: [.location: target, .contentLength: "0"], body: .init())
            }
            if path == "/slow" {
                try await Task.sleep(for: .seconds(3))
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "late")))
            }
            if path.hasPrefix("/bytes/"), let count = Int(path.dropFirst("/bytes/".count)) {
                return Response(
                    status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: count)))
            }
            if path == "/trailers" {
                return Response(
                    status: .ok,
                    body: .init { writer in
                        try await writer.write(ByteBuffer(string: "hello"))
                        try await writer.finish([HTTPField.Name("X-Checksum")!: "abc"])
                    })
            }
            if path == "/stream" {
                return Response(
                    status: .ok,
                    body: .init { writer in
                        try await writer.write(ByteBuffer(string: "hello"))
                        try await writer.finish(nil)
                    })
            }
            return Response(status: .notFound)
        }
    }
}

func quiet(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

/// Runs `body` with a live upstream on 127.0.0.1, passing its port.
func withUpstream<T: Sendable>(
    hits: HitCounter = HitCounter(), _ body: @Sendable @escaping (Int) async throws -> T
) async throws -> T {
    try await TestUpstream.application(hits: hits).test(.live) { client in
        try await body(client.port!)
    }
}

/// Upstream connections that refuse, as a last line, to go anywhere but loopback.
func loopbackOnlyUpstreams(readTimeout: TimeAmount = .seconds(5)) -> ProxyUpstreams {
    var connections = UpstreamPool.Configuration()
    connections.connectTimeout = .seconds(2)
    connections.readTimeout = readTimeout
    // The system's trust roots load or the test can't run at all.
    return try! ProxyUpstreams(connections: connections) { address in
        switch address {
        case .v4(let value): value >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }
}

/// A proxy whose resolver maps test names and whose classifier trusts exactly `trusted`.
func makeProxy(
    resolver: MapResolver = MapResolver(single: ["upstream.test": ["127.0.0.1"]]),
    trusted: Set<IPAddress> = [TestUpstream.loopback],
    configure: (inout OpenProxyConfiguration) -> Void = { _ in },
    upstreams: ProxyUpstreams = loopbackOnlyUpstreams()
) -> ServerUnderTest {
    var configuration = OpenProxyConfiguration(
        targetGuard: SSRFGuard(resolver: resolver, classifier: AddressClassifier(trustedAddresses: trusted)))
    configure(&configuration)
    return ServerUnderTest(proxy: OpenProxy(configuration: configuration, upstreams: upstreams, logger: quiet("proxy")))
}

/// A gateway or proxy application, and what to shut down after the test.
struct ServerUnderTest {
    enum Server {
        case proxy(OpenProxy)
        case gateway(Gateway)
    }

    let server: Server

    init(proxy: OpenProxy) {
        self.server = .proxy(proxy)
    }

    init(gateway: Gateway) {
        self.server = .gateway(gateway)
    }

    func test<T: Sendable>(
        _ setup: TestingSetup, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        let (application, shutdown): (any ApplicationProtocol, @Sendable () async -> Void) =
            switch server {
            case .proxy(let proxy): (proxy.makeApplication(configuration: configuration), proxy.shutdown)
            case .gateway(let gateway): (gateway.makeApplication(configuration: configuration), gateway.shutdown)
            }
        do {
            let value = try await application.test(setup, body)
            await shutdown()
            return value
        } catch {
            await shutdown()
            throw error
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func values(_ name: String) -> [String] { headers[values: HTTPField.Name(name)!] }
}
