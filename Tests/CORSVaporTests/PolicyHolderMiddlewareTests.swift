import CORS
import CORSVapor
import Testing
import Vapor
import VaporTesting

/// `CORSVaporMiddleware(holder)`: the application is configured once, the policy changes under it.
@Suite struct PolicyHolderMiddlewareTests {
    static let onlyA = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com"]))
    static let aAndB = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com", "https://b.com"]))

    @Test func requestsAfterAReplacementGetTheNewPolicy() async throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        try await withApp { app in
            app.logger.logLevel = .critical
            app.middleware.use(CORSVaporMiddleware(holder), at: .beginning)
            app.get("x") { _ in "x" }
            let tester = try app.testing()
            let before = try await tester.sendRequest(.GET, "/x", headers: ["Origin": "https://b.com"])
            #expect(before.headers["Access-Control-Allow-Origin"].isEmpty)

            holder.replace(with: Self.aAndB)
            let after = try await tester.sendRequest(.GET, "/x", headers: ["Origin": "https://b.com"])
            #expect(after.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
            let preflight = try await tester.sendRequest(
                .OPTIONS, "/x", headers: ["Origin": "https://b.com", "Access-Control-Request-Method": "GET"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
        }
    }

    @Test func aRequestInFlightFinishesUnderThePolicyItArrivedUnder() async throws {
        let holder = CORSPolicyHolder(Self.aAndB)
        let (arrived, arrival) = AsyncStream<Void>.makeStream()
        let (releases, release) = AsyncStream<Void>.makeStream()
        try await withApp { app in
            app.logger.logLevel = .critical
            app.middleware.use(CORSVaporMiddleware(holder), at: .beginning)
            app.get("slow") { _ in
                arrival.yield()
                for await _ in releases { break }
                return "slow"
            }
            let tester = try app.testing()
            async let slow = tester.sendRequest(.GET, "/slow", headers: ["Origin": "https://b.com"])
            for await _ in arrived { break }
            holder.replace(with: Self.onlyA)
            release.yield()
            let response = try await slow
            #expect(response.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
        }
    }
}
