import CORS
import CORSNIO
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Answers 200 `ok` to every request once its end arrives.
final class OKHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

@Suite struct LiveServerTests {
    /// A server on 127.0.0.1, port 0, with the handler after NIO's standard HTTP pipeline.
    func withServer(
        pipelining: Bool, _ body: (Int) async throws -> Void
    ) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.configureHTTPServerPipeline(withPipeliningAssistance: pipelining)
                    try operations.addHandler(CORSNIOChannelHandler(peersPolicy))
                    try operations.addHandler(OKHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(server.localAddress?.port ?? 0)
        } catch {
            try? await server.close()
            throw error
        }
        try await server.close()
    }

    /// Writes every request at once (HTTP pipelining) and returns the response heads in order.
    func pipelined(port: Int, _ requests: [HTTPRequestHead]) async throws -> [HTTPResponseHead] {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await client.executeThenClose { inbound, outbound in
            for head in requests {
                try await outbound.write(.head(head))
                try await outbound.write(.end(nil))
            }
            var heads: [HTTPResponseHead] = []
            var ends = 0
            for try await part in inbound {
                switch part {
                case .head(let head): heads.append(head)
                case .body: break
                case .end:
                    ends += 1
                    if ends == requests.count { return heads }
                }
            }
            return heads
        }
    }

    @Test(arguments: [true, false])
    func pipelinedRequestsOverTheWire(pipeliningAssistance: Bool) async throws {
        try await withServer(pipelining: pipeliningAssistance) { port in
            let heads = try await pipelined(
                port: port,
                [
                    request(.GET, "/a", [("Host", "t"), ("Origin", "https://a.com")]),
                    request(
                        .OPTIONS, "/p",
                        [("Host", "t"), ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PURGE")]),
                    request(
                        .OPTIONS, "/p",
                        [("Host", "t"), ("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT")]),
                    request(.GET, "/b", [("Host", "t")]),
                ])
            #expect(heads.map(\.status.code) == [200, 204, 403, 200])
            guard heads.count == 4 else { return }
            #expect(heads[0].headers["Access-Control-Allow-Origin"] == ["https://a.com"])
            #expect(heads[1].headers["Access-Control-Allow-Methods"] == ["PURGE"])
            #expect(heads[2].headers["Access-Control-Allow-Origin"].isEmpty)
            #expect(heads[3].headers["Access-Control-Allow-Origin"].isEmpty)
            #expect(heads[3].headers["Vary"] == ["Origin"])
        }
    }
}
