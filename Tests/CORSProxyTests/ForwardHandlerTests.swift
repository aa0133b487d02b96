import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CORSProxy

/// `ForwardHandler` on embedded channels: the client's connection and the upstream's, both driven
/// by the test, so each step of an exchange is seen as it happens, with no socket and no clock.
@Suite struct ForwardHandlerTests {
    /// A plan whose connections the test hands over when it wants to.
    final class ScriptedPlan: ForwardPlan {
        let upstreamHead: HTTPRequestHead
        var sendsBody = true
        let upstreamName = "upstream.test"
        var requestBodyLimit: Int?
        var responseBodyLimit: Int?
        var timeLimit: TimeAmount? { nil }
        /// Each lease, fresh or not, waiting for the test.
        var leases: [(fresh: Bool, promise: EventLoopPromise<UpstreamConnection>)] = []

        init(_ head: HTTPRequestHead) {
            var upstream = head
            upstream.headers.replaceOrAdd(name: "Host", value: "upstream.test")
            self.upstreamHead = upstream
        }

        func lease(on eventLoop: any EventLoop, fresh: Bool) -> EventLoopFuture<UpstreamConnection> {
            let promise = eventLoop.makePromise(of: UpstreamConnection.self)
            leases.append((fresh, promise))
            return promise.futureResult
        }

        func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection? { nil }
        func answer(to head: HTTPResponseHead) -> UpstreamAnswer { .relay(head.headers) }
        func filterTrailers(_ trailers: HTTPHeaders, fromUpstream: Bool) -> HTTPHeaders { trailers }
        func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus) {
            headers.replaceOrAdd(name: "X-Finished", value: "yes")
        }
    }

    /// Forwards every request with a new `ScriptedPlan`, kept for the test to drive.
    final class ScriptedRoute: ForwardingRoute, @unchecked Sendable {
        let logger = quiet("forward")
        let metrics = ProxyMetrics(prefix: "test")
        let clientIdleTimeout = TimeAmount.seconds(3600)
        let headerTimeout = TimeAmount.seconds(3600)
        var requestBodyLimit: Int?
        private(set) var plans: [ScriptedPlan] = []

        func decide(_ head: HTTPRequestHead, clientAddress: String?) -> RouteDecision {
            let plan = ScriptedPlan(head)
            plan.requestBodyLimit = requestBodyLimit
            plans.append(plan)
            return .forward(plan)
        }

        func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus, request: HTTPRequestHead) {}
    }

    /// An upstream connection on an embedded channel of its own.
    struct Upstream {
        let channel: EmbeddedChannel
        let connection: UpstreamConnection

        init() throws {
            channel = EmbeddedChannel()
            connection = UpstreamConnection(
                pool: UpstreamLoopPool(eventLoop: channel.eventLoop), readTimeout: .seconds(3600),
                idleTimeout: .seconds(3600), maximumIdle: 4)
            try channel.pipeline.syncOperations.addHandler(connection)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        /// What the upstream was sent so far, in words.
        func received() throws -> [String] {
            var parts: [String] = []
            while let part = try channel.readOutbound(as: HTTPClientRequestPart.self) {
                switch part {
                case .head(let head): parts.append("\(head.method) \(head.uri)")
                case .body(.byteBuffer(let buffer)): parts.append("body \(String(buffer: buffer))")
                case .body: parts.append("body (file)")
                case .end: parts.append("end")
                }
            }
            return parts
        }

        func answer(_ body: String, status: HTTPResponseStatus = .ok) throws {
            try channel.writeInbound(
                HTTPClientResponsePart.head(
                    HTTPResponseHead(
                        version: .http1_1, status: status, headers: ["Content-Length": String(body.utf8.count)])))
            try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: body)))
            try channel.writeInbound(HTTPClientResponsePart.end(nil))
        }
    }

    static func client(_ route: ScriptedRoute) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ForwardHandler(route: route))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        return channel
    }

    static func head(_ method: HTTPMethod, _ uri: String, _ headers: HTTPHeaders = [:]) -> HTTPServerRequestPart {
        var fields = headers
        fields.add(name: "Host", value: "gateway.test")
        return .head(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: fields))
    }

    /// What the client was sent so far, in words.
    static func answered(_ channel: EmbeddedChannel) throws -> [String] {
        var parts: [String] = []
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .head(let head):
                parts.append("\(head.status.code)" + (head.headers["X-Finished"].isEmpty ? "" : " finished"))
            case .body(.byteBuffer(let buffer)): parts.append("body \(String(buffer: buffer))")
            case .body: parts.append("body (file)")
            case .end: parts.append("end")
            }
        }
        return parts
    }

    @Test func anUploadIsHeldWhileConnectingThenSentAndTheAnswerRelayed() throws {
        let route = ScriptedRoute()
        let client = try Self.client(route)
        defer { _ = try? client.finish() }
        try client.writeInbound(Self.head(.POST, "/items", ["Transfer-Encoding": "chunked"]))
        try client.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "hello")))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        let plan = try #require(route.plans.first)
        #expect(plan.leases.count == 1)
        #expect(try Self.answered(client) == [], "nothing is answered before the upstream is")

        let upstream = try Upstream()
        plan.leases[0].promise.succeed(upstream.connection)
        #expect(try upstream.received() == ["POST /items", "body hello", "end"])

        try upstream.answer("created", status: .created)
        #expect(try Self.answered(client) == ["201 finished", "body created", "end"])
    }

    @Test func aKeptAliveConnectionClosedBeforeAnsweringIsRetriedOnAFreshOne() throws {
        let route = ScriptedRoute()
        let client = try Self.client(route)
        defer { _ = try? client.finish() }
        try client.writeInbound(Self.head(.GET, "/a"))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        let plan = try #require(route.plans.first)

        // A connection that carried an exchange before: the upstream may have closed it while idle.
        let reused = try Upstream()
        reused.connection.start(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/before"), sink: IgnoringSink())
        reused.connection.sendEnd()
        try reused.answer("before")
        _ = try reused.received()
        plan.leases[0].promise.succeed(reused.connection)
        #expect(try reused.received() == ["GET /a", "end"])
        reused.channel.pipeline.fireChannelInactive()

        #expect(plan.leases.count == 2)
        #expect(plan.leases[1].fresh)
        let fresh = try Upstream()
        plan.leases[1].promise.succeed(fresh.connection)
        #expect(try fresh.received() == ["GET /a", "end"])
        try fresh.answer("ok")
        #expect(try Self.answered(client) == ["200 finished", "body ok", "end"])
    }

    @Test func aPipelinedRequestWaitsForTheAnswerBeforeIt() throws {
        let route = ScriptedRoute()
        let client = try Self.client(route)
        defer { _ = try? client.finish() }
        try client.writeInbound(Self.head(.GET, "/first"))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        try client.writeInbound(Self.head(.GET, "/second"))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(route.plans.count == 1, "the second is not decided while the first is in flight")

        let first = try Upstream()
        route.plans[0].leases[0].promise.succeed(first.connection)
        try first.answer("one")
        #expect(try Self.answered(client) == ["200 finished", "body one", "end"])

        #expect(route.plans.count == 2)
        let second = try Upstream()
        route.plans[1].leases[0].promise.succeed(second.connection)
        #expect(try second.received() == ["GET /second", "end"])
        try second.answer("two")
        #expect(try Self.answered(client) == ["200 finished", "body two", "end"])
    }

    @Test func anUploadPastTheLimitIs413AndNeverReachesTheUpstream() throws {
        let route = ScriptedRoute()
        route.requestBodyLimit = 4
        let client = try Self.client(route)
        defer { _ = try? client.finish() }
        try client.writeInbound(Self.head(.PUT, "/big", ["Content-Length": "10"]))
        try client.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "12345")))
        let answer = try Self.answered(client)
        #expect(answer.first == "413 finished")
        #expect(answer.last == "end")
        // The lease that comes late goes back unused: the upstream gets nothing.
        let upstream = try Upstream()
        route.plans[0].leases[0].promise.succeed(upstream.connection)
        #expect(try upstream.received() == [])
        #expect(!upstream.channel.isActive, "abandoned")
        // The rest of the upload is read and dropped; the connection stays for the next request.
        try client.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "67890")))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(client.isActive)
    }

    @Test func theClientLeavingAbandonsTheUpstreamConnection() throws {
        let route = ScriptedRoute()
        let client = try Self.client(route)
        try client.writeInbound(Self.head(.GET, "/slow"))
        try client.writeInbound(HTTPServerRequestPart.end(nil))
        let upstream = try Upstream()
        route.plans[0].leases[0].promise.succeed(upstream.connection)
        #expect(try upstream.received() == ["GET /slow", "end"])
        _ = try client.finish()
        #expect(!upstream.channel.isActive, "a half-done exchange's connection is not reused")
    }

    final class IgnoringSink: UpstreamResponseSink {
        func upstreamHead(_ head: HTTPResponseHead) {}
        func upstreamBody(_ buffer: ByteBuffer) -> Bool { true }
        func upstreamEnd(trailers: HTTPHeaders?) {}
        func upstreamReadComplete() {}
        func upstreamFailed(_ failure: UpstreamConnectionFailure) {}
        func upstreamWritabilityChanged(isWritable: Bool) {}
    }
}
