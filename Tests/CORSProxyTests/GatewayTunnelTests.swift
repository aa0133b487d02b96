import CORS
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import CORSProxy

/// WebSocket upgrades through the gateway: the policy's WebSocket rule decides, an allowed
/// handshake goes upstream with its fields, and a `101` makes the connection a byte tunnel.
@Suite struct GatewayTunnelTests {
    static let origin = GatewayTests.origin

    static func gateway(port: Int, configure: (inout GatewayConfiguration) -> Void = { _ in }) throws -> ServerUnderTest
    {
        let policy = try CORSPolicy(CORSConfiguration(origins: [origin], credentials: true))
        var configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: policy)
        configure(&configuration)
        var connections = UpstreamPool.Configuration()
        connections.connectTimeout = .seconds(2)
        return ServerUnderTest(
            gateway: try Gateway(configuration: configuration, connections: connections, logger: quiet("gateway")))
    }

    /// A handshake, what the gateway answers, and whether the upstream saw the request.
    struct HandshakeCase: CustomTestStringConvertible, Sendable {
        var name: String
        var path = "/ws"
        var origin: String?
        var upgrade = "websocket"
        /// The answer's status line.
        var status: String
        var reachesUpstream: Bool
        /// The gateway closes the connection after answering.
        var closes: Bool
        var testDescription: String { name }
    }

    static let handshakeCases: [HandshakeCase] = [
        HandshakeCase(
            name: "allowed Origin: 101", origin: origin, status: "HTTP/1.1 101 Switching Protocols",
            reachesUpstream: true,
            closes: false),
        HandshakeCase(
            name: "no Origin (not a browser): 101", origin: nil, status: "HTTP/1.1 101 Switching Protocols",
            reachesUpstream: true, closes: false),
        HandshakeCase(
            name: "refused Origin: 403, nothing upstream", origin: "https://evil.example",
            status: "HTTP/1.1 403 Forbidden", reachesUpstream: false, closes: true),
        HandshakeCase(
            name: "Origin null: 403", origin: "null", status: "HTTP/1.1 403 Forbidden", reachesUpstream: false,
            closes: true),
        HandshakeCase(
            name: "upstream declines: its answer, then close", path: "/plain", origin: origin,
            status: "HTTP/1.1 200 OK", reachesUpstream: true, closes: true),
        HandshakeCase(
            name: "upstream switches to another protocol: 502", path: "/ws/h2c", origin: origin,
            status: "HTTP/1.1 502 Bad Gateway", reachesUpstream: true, closes: true),
        HandshakeCase(
            name: "h2c upgrade: forwarded as a plain request, then close", path: "/plain", origin: origin,
            upgrade: "h2c", status: "HTTP/1.1 200 OK", reachesUpstream: true, closes: true),
    ]

    @Test(arguments: handshakeCases)
    func handshakes(_ row: HandshakeCase) async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        try await Self.gateway(port: upstream.port).test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: row.path, origin: row.origin, upgrade: row.upgrade))
            let seen = await connection.wait { $0.text.contains("\r\n\r\n") || $0.closed }
            #expect(seen.text.hasPrefix(row.status + "\r\n"), "\(seen.text)")
            #expect((upstream.requestCount == 1) == row.reachesUpstream, "\(upstream.requestCount) requests upstream")
            if row.closes {
                #expect(await connection.waitForClose().closed)
            }
            if row.status.contains(" 101 ") {
                let head = seen.text.lowercased()
                #expect(head.contains("upgrade: websocket\r\n"), "\(seen.text)")
                #expect(head.contains("connection: upgrade\r\n"), "\(seen.text)")
                #expect(head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"), "\(seen.text)")
                #expect(!head.contains("connection: close"), "\(seen.text)")
            }
            if row.reachesUpstream {
                let forwarded = upstream.heads.withLockedValue { $0.first ?? "" }.lowercased()
                #expect(forwarded.contains("sec-websocket-key: dghlihnhbxbszsbub25jzq==\r\n"), "\(forwarded)")
                #expect(forwarded.contains("sec-websocket-protocol: chat\r\n"), "\(forwarded)")
                if row.upgrade == "websocket" {
                    #expect(forwarded.contains("upgrade: websocket\r\n"), "\(forwarded)")
                    #expect(forwarded.contains("connection: upgrade\r\n"), "\(forwarded)")
                } else {
                    // Another protocol's upgrade is not this gateway's to ask for: the fields stop here.
                    #expect(!forwarded.contains("upgrade:"), "\(forwarded)")
                }
            }
            await connection.close()
        }
    }

    // The upstream's close is waited for by polling: a broken build would wait forever without the limit.
    @Test(.timeLimit(.minutes(2))) func bytesFlowBothWaysAndTheClientsCloseReachesTheUpstream() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        try await Self.gateway(port: upstream.port).test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws", origin: Self.origin))
            // The upstream's greeting came in the same write as its `101`: it is not lost.
            let greeted = await connection.wait(for: "\r\n\r\nhello")
            #expect(greeted.text.hasSuffix("\r\n\r\nhello"), "\(greeted.text)")
            for message in ["one", "two", String(repeating: "z", count: 20_000)] {
                let before = await connection.wait { _ in true }.byteCount
                try await connection.send(message)
                let seen = await connection.wait { $0.byteCount >= before + message.utf8.count || $0.closed }
                #expect(seen.text.hasSuffix(message))
            }
            await connection.close()
            // Waits for the event: the upstream's side of the tunnel closing.
            while upstream.closedByGateway.withLockedValue({ $0 }) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func theUpstreamsCloseReachesTheClient() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        try await Self.gateway(port: upstream.port).test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws", origin: Self.origin))
            _ = await connection.wait(for: "hello")
            upstream.closeConnections()
            #expect(await connection.waitForClose().closed)
        }
    }

    @Test func aSilentTunnelIsClosedAtTheIdleLimit() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        let gateway = try Self.gateway(port: upstream.port) { $0.tunnelIdleTimeout = .milliseconds(300) }
        try await gateway.test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws", origin: Self.origin))
            let seen = await connection.waitForClose()
            #expect(seen.text.hasPrefix("HTTP/1.1 101 "), "\(seen.text)")
            #expect(seen.closed, "closed by the gateway, not the backstop")
        }
    }

    @Test func aDirectionOverTheByteLimitClosesTheTunnel() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        let gateway = try Self.gateway(port: upstream.port) { $0.tunnelByteLimit = 1000 }
        try await gateway.test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws", origin: Self.origin))
            _ = await connection.wait(for: "hello")
            try await connection.send(String(repeating: "a", count: 500))
            _ = await connection.wait { $0.text.hasSuffix(String(repeating: "a", count: 500)) || $0.closed }
            try await connection.send(String(repeating: "b", count: 600))
            #expect(await connection.waitForClose().closed)
        }
    }

    @Test func aClientThatStopsReadingGetsEveryByteOnceItReadsAgain() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        try await Self.gateway(port: upstream.port).test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws/flood", origin: Self.origin))
            let head = await connection.wait(for: "\r\n\r\n")
            try await connection.setReading(false)
            // The upstream had to wait for the gateway, which waits for the client.
            let writtenAtStall = try await upstream.stalled.futureResult.get()
            #expect(writtenAtStall < TunnelUpstream.floodBytes, "the upstream never had to wait for the gateway")
            try await connection.setReading(true)
            let headBytes = try #require(head.text.components(separatedBy: "\r\n\r\n").first).utf8.count + 4
            let seen = await connection.wait(backstop: .seconds(120)) {
                $0.byteCount >= headBytes + TunnelUpstream.floodBytes || $0.closed
            }
            #expect(seen.byteCount == headBytes + TunnelUpstream.floodBytes)
            await connection.close()
        }
    }

    /// Switched off, a WebSocket handshake is a plain request (as before tunnels existed), and the
    /// connection closes after its answer.
    @Test func tunnelsSwitchedOffForwardThePlainRequest() async throws {
        let upstream = try await TunnelUpstream()
        defer { Task { try? await upstream.close() } }
        let gateway = try Self.gateway(port: upstream.port) { $0.tunnelsWebSockets = false }
        try await gateway.test(.live) { client in
            let connection = try await RawClient.connect(port: client.port!)
            try await connection.send(webSocketHandshake(path: "/ws", origin: Self.origin))
            let seen = await connection.waitForClose()
            #expect(seen.text.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"), "\(seen.text)")
            let forwarded = upstream.heads.withLockedValue { $0.first ?? "" }.lowercased()
            #expect(!forwarded.contains("upgrade:"), "\(forwarded)")
        }
    }
}

/// The tunnel's backpressure without sockets: each side is read only while the other can take more.
@Suite struct TunnelBackpressureTests {
    typealias ReadCounter = UpstreamConnectionTests.ReadCounter

    @Test func aSideIsReadOnlyWhileTheOtherIsWritable() throws {
        let loop = EmbeddedEventLoop()
        let client = EmbeddedChannel(loop: loop)
        let upstream = EmbeddedChannel(loop: loop)
        let clientReads = ReadCounter()
        let upstreamReads = ReadCounter()
        let tunnel = Tunnel(limits: .init(idleTimeout: .seconds(60), maximumBytes: nil), logger: quiet("t"), name: "u")
        try client.pipeline.syncOperations.addHandler(clientReads)
        try client.pipeline.syncOperations.addHandler(tunnel.client)
        try upstream.pipeline.syncOperations.addHandler(upstreamReads)
        try upstream.pipeline.syncOperations.addHandler(tunnel.upstream)
        _ = try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try upstream.connect(to: .init(ipAddress: "127.0.0.1", port: 2)).wait()

        // Nothing is read before the tunnel begins (the HTTP handlers are still leaving).
        client.read()
        #expect(clientReads.reads == 0)
        tunnel.begin(on: loop)
        #expect(clientReads.reads == 1 && upstreamReads.reads == 1)

        // The client stops taking bytes: the upstream's next read waits.
        client.isWritable = false
        client.pipeline.fireChannelWritabilityChanged()
        try upstream.writeInbound(ByteBuffer(string: "frame"))
        upstream.pipeline.fireChannelReadComplete()
        #expect(try client.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "frame"))
        upstream.read()
        #expect(upstreamReads.reads == 1, "held while the client is behind")
        // The client's own side still reads: its partner, the upstream, is writable.
        client.read()
        #expect(clientReads.reads == 2)

        client.isWritable = true
        client.pipeline.fireChannelWritabilityChanged()
        #expect(upstreamReads.reads == 2, "the held read goes once the client catches up")

        // Either side closing closes the other.
        try upstream.close().wait()
        #expect(!client.isActive)
        _ = try? client.finish()
        _ = try? upstream.finish()
    }
}
