import CORS
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import CORSProxy

/// Counts the `read()`s that reach the socket.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    private(set) var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// Found by a black-box pass: a client that pipelines preflights and never reads the answers grew
/// the proxy from 106 MB to 2.1 GB in 26 s on one connection. Between requests, nothing is read
/// from a client whose side is not writable; the held read goes through once it is again.
@Suite struct ClientBackpressureTests {
    static func channel() throws -> (EmbeddedChannel, ReadCounter) {
        let policy = try CORSPolicy(CORSConfiguration(origins: ["https://a.test"], methods: ["PUT"]))
        let gateway = try Gateway(
            configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:9", policy: policy),
            logger: quiet("gateway"))
        let route = GatewayRoute(configuration: gateway.configuration, pool: gateway.pool, logger: quiet("route"))
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(ForwardHandler(route: route))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, counter)
    }

    static func preflight(_ channel: EmbeddedChannel) throws {
        let head = HTTPRequestHead(
            version: .http1_1, method: .OPTIONS, uri: "/x",
            headers: ["Host": "gateway.test", "Origin": "https://a.test", "Access-Control-Request-Method": "PUT"])
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    @Test func aClientThatDoesNotReadIsNotReadFrom() throws {
        let (channel, counter) = try Self.channel()
        defer { _ = try? channel.finish() }
        try Self.preflight(channel)
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) != nil, "the preflight is answered here")
        let before = counter.reads
        channel.read()
        #expect(counter.reads == before + 1)
        // The answers pile up unread: the client's side stops being writable.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        channel.read()
        #expect(counter.reads == before + 1, "no read while the client does not read")
        // It reads again: the held read goes through, once.
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(counter.reads == before + 2)
        channel.read()
        #expect(counter.reads == before + 3)
    }
}
