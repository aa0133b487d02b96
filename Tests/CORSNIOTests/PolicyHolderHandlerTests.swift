import CORS
import CORSNIO
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// `CORSNIOChannelHandler(holder)`: each request is decided by the policy held when its head arrives.
@Suite struct PolicyHolderHandlerTests {
    static let onlyA = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com"]))
    static let aAndB = try! CORSPolicy(CORSConfiguration(origins: ["https://a.com", "https://b.com"]))

    @Test func aReplacementAppliesToTheNextRequestOnTheSameConnection() throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(holder))
        defer { _ = try? channel.finish() }

        try channel.send(request(.GET, "/", [("Origin", "https://b.com")]))
        _ = try channel.readRequestHead()
        try channel.answer(response())
        #expect(try channel.readResponseHead()?.headers["Access-Control-Allow-Origin"] == [])

        holder.replace(with: Self.aAndB)
        try channel.send(request(.GET, "/", [("Origin", "https://b.com")]))
        _ = try channel.readRequestHead()
        try channel.answer(response())
        #expect(try channel.readResponseHead()?.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
    }

    @Test func aRequestInFlightFinishesUnderThePolicyItArrivedUnder() throws {
        let holder = CORSPolicyHolder(Self.aAndB)
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(holder))
        defer { _ = try? channel.finish() }
        try channel.send(request(.GET, "/first", [("Origin", "https://b.com")]))
        #expect(try channel.readRequestHead()?.uri == "/first")

        // Replaced while the application is still working on /first; /second arrives after.
        holder.replace(with: Self.onlyA)
        try channel.send(request(.GET, "/second", [("Origin", "https://b.com")]))
        #expect(try channel.readRequestHead()?.uri == "/second")

        try channel.answer(response())
        #expect(try channel.readResponseHead()?.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
        try channel.answer(response())
        #expect(try channel.readResponseHead()?.headers["Access-Control-Allow-Origin"] == [])
    }

    @Test func aPreflightIsAnsweredByThePolicyInForce() throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(holder))
        defer { _ = try? channel.finish() }
        let preflight = request(.OPTIONS, "/", [("Origin", "https://b.com"), ("Access-Control-Request-Method", "GET")])
        try channel.send(preflight)
        #expect(try channel.readResponseHead()?.status == .forbidden)
        holder.replace(with: Self.aAndB)
        try channel.send(preflight)
        let answer = try #require(try channel.readResponseHead())
        #expect(answer.status == .noContent)
        #expect(answer.headers["Access-Control-Allow-Origin"] == ["https://b.com"])
    }

    @Test func theWebSocketGuardReadsTheHolderPerUpgrade() throws {
        let holder = CORSPolicyHolder(Self.onlyA)
        let upgrade = request(.GET, "/ws", webSocketHeaders(origin: "https://b.com"))

        let refused = EmbeddedChannel(handler: CORSWebSocketOriginGuard(holder))
        defer { _ = try? refused.finish() }
        try refused.send(upgrade)
        #expect(try refused.readRequestHead() == nil)
        #expect(try refused.readResponseHead()?.status == .forbidden)

        holder.replace(with: Self.aAndB)
        let allowed = EmbeddedChannel(handler: CORSWebSocketOriginGuard(holder))
        defer { _ = try? allowed.finish() }
        try allowed.send(upgrade)
        #expect(try allowed.readRequestHead()?.uri == "/ws")
    }
}
