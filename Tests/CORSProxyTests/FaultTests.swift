import CORS
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import CORSProxy

/// A loopback server that answers every connection with fixed bytes, then closes: an upstream
/// that misbehaves on purpose.
final class RawUpstream: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    init(reply: String, closeAfterReply: Bool = true) async throws {
        let bytes = Array(reply.utf8)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Replier(bytes: bytes, close: closeAfterReply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Replier: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes: [UInt8]
        let close: Bool
        init(bytes: [UInt8], close: Bool) {
            self.bytes = bytes
            self.close = close
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = context.channel.allocator.buffer(bytes: bytes)
            let close = self.close
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in
                if close { loopBound.value.close(promise: nil) }
            }
        }
    }
}

@Suite struct FaultTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        let name: String
        let reply: String
        /// nil: the answer may start (headers sent) and then break; the test only asks that the
        /// client sees an error or a short body, and that the gateway keeps serving.
        let status: Int?
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(
            name: "upstream closes mid-body", reply: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc", status: nil),
        Fault(name: "bad Content-Length", reply: "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nabc", status: 502),
        Fault(
            name: "two different Content-Lengths",
            reply: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 502),
        Fault(
            name: "oversized upstream header",
            reply: "HTTP/1.1 200 OK\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\nContent-Length: 0\r\n\r\n",
            status: 502),
        Fault(name: "not HTTP at all", reply: "SSH-2.0-OpenSSH_9.6\r\n", status: 502),
        Fault(name: "closes without answering", reply: "", status: 502),
    ]

    @Test(arguments: faults)
    func gatewaySurvives(_ fault: Fault) async throws {
        let upstream = try await RawUpstream(reply: fault.reply)
        let policy = try CORSPolicy(CORSConfiguration(origins: ["http://app.test"]))
        var connections = UpstreamPool.Configuration()
        connections.readTimeout = .seconds(2)
        let gateway = try Gateway(
            configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstream.port)", policy: policy),
            connections: connections, logger: quiet("gateway"))
        let app = ServerUnderTest(gateway: gateway)
        try await app.test(.ahc(.http)) { client in
            do {
                let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: "http://app.test"])
                if let status = fault.status {
                    #expect(Int(response.status.code) == status)
                    #expect(response.headers[.accessControlAllowOrigin] == "http://app.test")
                } else {
                    #expect(response.body.readableBytes < 1000)
                }
            } catch {
                #expect(fault.status == nil, "unexpected \(error)")
            }
        }
        try await upstream.close()
    }

    @Test func proxyBadContentLengthIs502() async throws {
        let upstream = try await RawUpstream(reply: "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n")
        try await makeProxy().test(.live) { client in
            let response = try await client.execute(
                uri: "/http://upstream.test:\(upstream.port)/", method: .get, headers: [.origin: "http://app.test"])
            #expect(response.status == .badGateway)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
        }
        try await upstream.close()
    }

    @Test func proxySlowUpstreamIs504() async throws {
        try await withUpstream { port in
            let proxy = makeProxy(configure: { $0.timeout = .milliseconds(500) })
            try await proxy.test(.live) { client in
                let response = try await client.execute(
                    uri: "/http://upstream.test:\(port)/slow", method: .get, headers: [.origin: "http://app.test"])
                #expect(response.status == .gatewayTimeout)
                #expect(String(buffer: response.body).contains("Gateway timeout"))
            }
        }
    }
}
