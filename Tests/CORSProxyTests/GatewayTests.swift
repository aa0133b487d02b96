import CORS
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@testable import CORSProxy

/// `cors serve --upstream`: the policy in front of one loopback upstream.
@Suite struct GatewayTests {
    static let origin = "http://app.test"

    static func gateway(port: Int, readTimeout: TimeAmount = .seconds(5)) throws -> ServerUnderTest {
        let policy = try CORSPolicy(CORSConfiguration(origins: [origin], methods: ["GET", "POST", "PUT"]))
        let configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: policy)
        var connections = UpstreamPool.Configuration()
        connections.connectTimeout = .seconds(2)
        connections.readTimeout = readTimeout
        return ServerUnderTest(
            gateway: try Gateway(configuration: configuration, connections: connections, logger: quiet("gateway")))
    }

    @Test func upstreamAllowOriginIsReplacedByThePolicys() async throws {
        try await withUpstream { port in
            try await Self.gateway(port: port).test(.live) { client in
                try await client.execute(uri: "/cors", method: .get, headers: [.origin: Self.origin]) { response in
                    #expect(response.status == .ok)
                    #expect(response.values("Access-Control-Allow-Origin") == [Self.origin])
                    #expect(response.values("Access-Control-Allow-Credentials").isEmpty)
                    #expect(response.text == "ok")
                }
                try await client.execute(uri: "/cors", method: .get, headers: [.origin: "http://evil.test"]) {
                    response in
                    #expect(response.values("Access-Control-Allow-Origin").isEmpty)
                }
            }
        }
    }

    @Test func preflightIsAnsweredByThePolicy() async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            try await Self.gateway(port: port).test(.live) { client in
                try await client.execute(
                    uri: "/echo", method: .options,
                    headers: [.origin: Self.origin, .accessControlRequestMethod: "PUT"]
                ) { response in
                    #expect(response.status == .noContent)
                    #expect(response.values("Access-Control-Allow-Origin") == [Self.origin])
                }
            }
        }
        #expect(await hits.hits == 0)
    }

    /// A policy file's policy is applied inline by the gateway's route; one with an async origin
    /// predicate by CORSNIOChannelHandler. Both must answer alike.
    enum PolicyPath: String, CaseIterable, Sendable {
        case inline, originPredicate
    }

    @Test(arguments: PolicyPath.allCases)
    func bothPolicyPathsAnswerAlike(_ path: PolicyPath) async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            let configuration =
                switch path {
                case .inline: CORSConfiguration(origins: [Self.origin], methods: ["GET", "PUT"])
                case .originPredicate:
                    CORSConfiguration(originPredicate: { $0 == Self.origin }, methods: ["GET", "PUT"])
                }
            let policy = try CORSPolicy(configuration)
            #expect(policy.decidesSynchronously == (path == .inline))
            let gateway = try Gateway(
                configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: policy),
                logger: quiet("gateway"))
            try await ServerUnderTest(gateway: gateway).test(.live) { client in
                let allowed = try await client.execute(uri: "/cors", method: .get, headers: [.origin: Self.origin])
                #expect(allowed.values("Access-Control-Allow-Origin") == [Self.origin])
                #expect(allowed.values("Vary").joined(separator: ",").contains("Origin"))
                let refused = try await client.execute(
                    uri: "/cors", method: .get, headers: [.origin: "http://evil.test"])
                #expect(refused.values("Access-Control-Allow-Origin").isEmpty)
                let preflight = try await client.execute(
                    uri: "/echo", method: .options, headers: [.origin: Self.origin, .accessControlRequestMethod: "PUT"])
                #expect(preflight.status == .noContent)
                #expect(preflight.values("Access-Control-Allow-Origin") == [Self.origin])
                #expect(preflight.values("Content-Length").isEmpty)
            }
        }
        #expect(await hits.hits == 2, "the preflight never reaches the upstream")
    }

    @Test func forwardsHeadersAndStreamsBodiesBothWays() async throws {
        try await withUpstream { port in
            try await Self.gateway(port: port).test(.live) { client in
                let upload = ByteBuffer(repeating: 0x61, count: 1 << 20)
                try await client.execute(
                    uri: "/echo?x=1", method: .post, headers: [.origin: Self.origin, .init("X-App")!: "7"], body: upload
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains("POST /echo?x=1"))
                    #expect(response.text.contains("body-bytes: 1048576"))
                    #expect(response.text.contains("x-app: 7"))
                    #expect(response.text.contains("host: 127.0.0.1:\(port)"))
                    #expect(response.text.contains("x-forwarded-for: 127.0.0.1"))
                    #expect(response.text.contains("x-forwarded-host: localhost"))
                    #expect(response.text.contains("x-forwarded-proto: http"))
                    #expect(!response.text.contains("connection:"))
                }
                try await client.execute(uri: "/bytes/1048576", method: .get, headers: [.origin: Self.origin]) {
                    response in
                    #expect(response.body.readableBytes == 1 << 20)
                }
            }
        }
    }

    @Test func upstreamDownIs502WithCORSHeaders() async throws {
        // A port that was just free: nothing listens there.
        let port = try await withUpstream { port in port }
        try await Self.gateway(port: port).test(.live) { client in
            try await client.execute(uri: "/echo", method: .get, headers: [.origin: Self.origin]) { response in
                #expect(response.status == .badGateway)
                #expect(response.values("Access-Control-Allow-Origin") == [Self.origin])
                #expect(response.text.contains("Bad gateway"))
            }
        }
    }

    @Test func slowUpstreamIs504WithCORSHeaders() async throws {
        try await withUpstream { port in
            try await Self.gateway(port: port, readTimeout: .milliseconds(300)).test(.live) { client in
                try await client.execute(uri: "/slow", method: .get, headers: [.origin: Self.origin]) { response in
                    #expect(response.status == .gatewayTimeout)
                    #expect(response.values("Access-Control-Allow-Origin") == [Self.origin])
                }
            }
        }
    }

    /// README's "as a library" example, served for real (ports and upstream are the test's).
    @Test func readmeLibraryExampleServes() async throws {
        try await withUpstream { port in
            let policy = try CORSPolicy(CORSConfiguration(origins: ["https://app.example.com"]))
            let gateway = try Gateway(
                configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: policy),
                logger: quiet("gateway"))
            let proxy = OpenProxy(
                configuration: OpenProxyConfiguration(rateLimit: RateLimit(requests: 60, per: .seconds(60))),
                upstreams: try ProxyUpstreams(), logger: quiet("proxy"))
            let origin: HTTPFields = [.origin: "https://app.example.com"]
            try await ServerUnderTest(gateway: gateway).test(.live) { client in
                let response = try await client.execute(uri: "/echo", method: .get, headers: origin)
                #expect(response.status == .ok)
                #expect(response.values("Access-Control-Allow-Origin") == ["https://app.example.com"])
            }
            try await ServerUnderTest(proxy: proxy).test(.live) { client in
                let help = try await client.execute(uri: "/", method: .get, headers: origin)
                #expect(help.text.contains("CORS proxy"))
                // Safe by default: the loopback upstream is refused.
                let refused = try await client.execute(
                    uri: "/http://127.0.0.1:\(port)/echo", method: .get, headers: origin)
                #expect(refused.status == .forbidden)
            }
        }
    }

    struct HopCase: Sendable {
        let fields: [(String, String)]
        let forwarded: [String]
        init(_ fields: [(String, String)], forwarded: [String]) {
            self.fields = fields
            self.forwarded = forwarded
        }
    }

    static let hopCases: [HopCase] = [
        HopCase([("Connection", "close, X-Secret"), ("X-Secret", "1"), ("X-Kept", "2")], forwarded: ["x-kept"]),
        HopCase(
            [("Keep-Alive", "timeout=5"), ("TE", "trailers"), ("Trailer", "X"), ("Upgrade", "h2c")], forwarded: []),
        HopCase(
            [("Transfer-Encoding", "chunked"), ("Proxy-Authorization", "Basic x"), ("Proxy-Foo", "1")], forwarded: []),
        HopCase([("Host", "a.test"), ("Content-Length", "3"), ("Accept", "*/*")], forwarded: ["accept"]),
    ]

    @Test(arguments: hopCases)
    func hopByHopFieldsAreDropped(_ hopCase: HopCase) {
        let headers = HTTPHeaders(hopCase.fields)
        let forwarded = HopByHop.forwardableRequestHeaders(headers).map { $0.name.lowercased() }
        #expect(forwarded == hopCase.forwarded)
        // Answers lose the same fields (Host and Content-Length are only the request's to drop).
        let answer = HopByHop.endToEnd(headers, reserving: 0).map { $0.name.lowercased() }
        #expect(answer.filter { $0 != "host" && $0 != "content-length" } == hopCase.forwarded)
    }
}
