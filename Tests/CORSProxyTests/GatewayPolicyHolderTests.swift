import CORS
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CORSProxy

/// `GatewayConfiguration(upstream:policy: holder)`: the gateway reads the policy per request.
@Suite struct GatewayPolicyHolderTests {
    static let onlyA = try! CORSPolicy(CORSConfiguration(origins: ["http://a.test"]))
    static let aAndB = try! CORSPolicy(CORSConfiguration(origins: ["http://a.test", "http://b.test"]))

    static func gateway(port: Int, holder: CORSPolicyHolder) throws -> ServerUnderTest {
        let configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: holder)
        return ServerUnderTest(gateway: try Gateway(configuration: configuration, logger: quiet("gateway")))
    }

    @Test func aReplacementAppliesToTheNextRequests() async throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            try await Self.gateway(port: port, holder: holder).test(.live) { client in
                let preflight: HTTPFields = [.origin: "http://b.test", .accessControlRequestMethod: "GET"]
                try await client.execute(uri: "/echo", method: .options, headers: preflight) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/echo", method: .get, headers: [.origin: "http://b.test"]) {
                    #expect($0.values("Access-Control-Allow-Origin").isEmpty)
                }
                holder.replace(with: Self.aAndB)
                try await client.execute(uri: "/echo", method: .options, headers: preflight) { response in
                    #expect(response.status == .noContent)
                    #expect(response.values("Access-Control-Allow-Origin") == ["http://b.test"])
                }
                try await client.execute(uri: "/echo", method: .get, headers: [.origin: "http://b.test"]) {
                    #expect($0.values("Access-Control-Allow-Origin") == ["http://b.test"])
                }
            }
        }
        // The preflights were answered by the gateway; the two GETs went upstream.
        #expect(await hits.hits == 2)
    }

    @Test func aRequestInFlightFinishesUnderThePolicyItArrivedUnder() async throws {
        let holder = CORSPolicyHolder(Self.aAndB)
        let (arrived, arrival) = AsyncStream<Void>.makeStream()
        let (releases, release) = AsyncStream<Void>.makeStream()
        let router = Router()
        router.get("slow") { _, _ in
            arrival.yield()
            for await _ in releases { break }
            return "slow"
        }
        let upstream = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet("upstream"))
        try await upstream.test(.live) { upstreamClient in
            try await Self.gateway(port: upstreamClient.port!, holder: holder).test(.live) { client in
                async let slow = client.execute(uri: "/slow", method: .get, headers: [.origin: "http://b.test"]) {
                    $0.values("Access-Control-Allow-Origin")
                }
                for await _ in arrived { break }
                holder.replace(with: Self.onlyA)
                release.yield()
                let allowOrigin = try await slow
                #expect(allowOrigin == ["http://b.test"])
                try await client.execute(uri: "/echo", method: .get, headers: [.origin: "http://b.test"]) {
                    #expect($0.values("Access-Control-Allow-Origin").isEmpty)
                }
            }
        }
    }

    /// The gateway decides inline, without waiting: a policy with an async predicate put in the
    /// holder is refused per request, never applied without its predicate.
    @Test func aHeldPolicyWithAnAsyncPredicateIsRefusedNotSkipped() async throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            try await Self.gateway(port: port, holder: holder).test(.live) { client in
                holder.replace(with: try CORSPolicy(CORSConfiguration(originPredicate: { _ in true })))
                try await client.execute(uri: "/echo", method: .get, headers: [.origin: "http://b.test"]) { response in
                    #expect(response.status == .internalServerError)
                    #expect(response.values("Access-Control-Allow-Origin").isEmpty)
                }
            }
        }
        #expect(await hits.hits == 0)
    }
}
