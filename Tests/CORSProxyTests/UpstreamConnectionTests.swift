import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import Testing

@testable import CORSProxy

/// `UpstreamConnection` on an embedded channel: what it does with reads, pauses and the pool.
@Suite struct UpstreamConnectionTests {
    /// Counts the `read()` calls that get through to the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    /// A client that can't keep up: asks to stop reading at every body part.
    final class SlowClient: UpstreamResponseSink {
        var parts: [String] = []
        func upstreamHead(_ head: HTTPResponseHead) { parts.append("head") }
        func upstreamBody(_ buffer: ByteBuffer) -> Bool {
            parts.append("body")
            return false
        }
        func upstreamEnd(trailers: HTTPHeaders?) { parts.append("end") }
        func upstreamReadComplete() {}
        func upstreamFailed(_ failure: UpstreamConnectionFailure) { parts.append("failed") }
        func upstreamWritabilityChanged(isWritable: Bool) {}
    }

    static func connectedChannel() throws -> (EmbeddedChannel, UpstreamConnection, ReadCounter, UpstreamLoopPool) {
        let channel = EmbeddedChannel()
        let pool = UpstreamLoopPool(eventLoop: channel.eventLoop)
        let counter = ReadCounter()
        let connection = UpstreamConnection(
            pool: pool, readTimeout: .seconds(30), idleTimeout: .seconds(60), maximumIdle: 4)
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(connection)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, connection, counter, pool)
    }

    static let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": "upstream"])
    static let okHead = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "1"])

    @Test func aPauseForASlowClientEndsWithTheAnswer() throws {
        let (channel, connection, counter, pool) = try Self.connectedChannel()
        let client = SlowClient()
        connection.start(Self.request, sink: client)
        connection.sendEnd()
        try channel.writeInbound(HTTPClientResponsePart.head(Self.okHead))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: "a")))
        let readsBefore = counter.reads
        channel.read()
        #expect(counter.reads == readsBefore, "paused: the read is held")
        // The end was already in the bytes read: the answer is complete, and the pause with it.
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(client.parts == ["head", "body", "end"])
        #expect(counter.reads == readsBefore + 1, "the held read goes out once the answer ended")
        #expect(pool.takeIdle() === connection)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func anAnswerBeforeTheWholeRequestClosesTheConnection() throws {
        let (channel, connection, _, pool) = try Self.connectedChannel()
        let client = SlowClient()
        connection.start(Self.request, sink: client)
        // No sendEnd(): the upstream answered before the request body was complete.
        try channel.writeInbound(HTTPClientResponsePart.head(Self.okHead))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(pool.takeIdle() == nil)
        #expect(!channel.isActive)
    }

    @Test func anUpstreamThatClosesMidAnswerFailsTheExchange() throws {
        let (channel, connection, _, pool) = try Self.connectedChannel()
        let client = SlowClient()
        connection.start(Self.request, sink: client)
        connection.sendEnd()
        try channel.writeInbound(HTTPClientResponsePart.head(Self.okHead))
        channel.pipeline.fireChannelInactive()
        #expect(client.parts == ["head", "failed"])
        #expect(pool.takeIdle() == nil)
    }

    @Test func aPooledConnectionSendsSmallWritesAtOnceAndNothingElse() async throws {
        try await withUpstream { port in
            let pool = UpstreamPool(
                host: "127.0.0.1", port: port, tls: nil, configuration: .init(),
                group: MultiThreadedEventLoopGroup.singleton)
            let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            let connection = try await eventLoop.flatSubmit { pool.lease(on: eventLoop) }.get()
            let channel = try #require(try await eventLoop.submit { connection.channel }.get())
            #expect(try await channel.getOption(.tcpOption(.tcp_nodelay)).get() == 1)
            // The option once set at the socket level by mistake: same number, another meaning.
            #expect(try await channel.getOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_DEBUG))).get() == 0)
            try await channel.close()
            await pool.shutdown()
        }
    }
}
