import CORS
import CORSHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Holds a handler until the test lets it go, so a test can act while a request is in flight.
final class HandlerGate: Sendable {
    let arrived: AsyncStream<Void>
    private let arrival: AsyncStream<Void>.Continuation
    private let releases: AsyncStream<Void>
    private let release: AsyncStream<Void>.Continuation

    init() {
        (arrived, arrival) = AsyncStream.makeStream()
        (releases, release) = AsyncStream.makeStream()
    }

    /// Called by the handler: says it is there, then waits for `open()`.
    func pass() async {
        arrival.yield()
        var iterator = releases.makeAsyncIterator()
        _ = await iterator.next()
    }

    func open() { release.yield() }
}

/// `CORSHummingbirdMiddleware(holder)`: the router is built once, the policy changes under it.
@Suite struct PolicyHolderMiddlewareTests {
    static let onlyA = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com"]))
    static let aAndB = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com", "https://b.com"]))

    @Test func requestsAfterAReplacementGetTheNewPolicy() async throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let router = Router()
        router.add(middleware: CORSHummingbirdMiddleware(holder))
        router.get("x") { _, _ in "x" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/x", method: .get, headers: [.origin: "https://b.com"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            holder.replace(with: Self.aAndB)
            try await client.execute(uri: "/x", method: .get, headers: [.origin: "https://b.com"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://b.com")
            }
            let preflight: HTTPFields = [.origin: "https://b.com", .accessControlRequestMethod: "GET"]
            try await client.execute(uri: "/x", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://b.com")
            }
        }
    }

    @Test func aRequestInFlightFinishesUnderThePolicyItArrivedUnder() async throws {
        let holder = CORSPolicyHolder(Self.aAndB)
        let gate = HandlerGate()
        let router = Router()
        router.add(middleware: CORSHummingbirdMiddleware(holder))
        router.get("slow") { _, _ in
            await gate.pass()
            return "slow"
        }
        try await Application(router: router).test(.router) { client in
            async let slow = client.execute(uri: "/slow", method: .get, headers: [.origin: "https://b.com"]) {
                $0.headers[.accessControlAllowOrigin]
            }
            var arrivals = gate.arrived.makeAsyncIterator()
            _ = await arrivals.next()
            holder.replace(with: Self.onlyA)
            gate.open()
            let allowOrigin = try await slow
            #expect(allowOrigin == "https://b.com")
        }
    }
}
