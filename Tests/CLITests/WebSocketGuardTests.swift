import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Testing

/// Cross-site WebSocket hijacking: `/ws` of `cors serve` (development policy: any
/// http://localhost:* origin) through each adapter, spoken to by a real WebSocket client (NIO's
/// client upgrader, which sends exactly the headers we give it).
@Suite(.serialized) struct WebSocketGuardTests {
    struct OriginCase: Sendable, CustomTestStringConvertible {
        var origin: String?
        var upgraded: Bool
        var testDescription: String { "\(origin ?? "no Origin") → \(upgraded ? "upgraded" : "403")" }
    }

    static let origins = [
        OriginCase(origin: "http://localhost:3000", upgraded: true),
        OriginCase(origin: "https://evil.example", upgraded: false),
        OriginCase(origin: "null", upgraded: false),
        OriginCase(origin: nil, upgraded: true),
    ]

    enum Upgrade {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    /// Connects with NIO's WebSocket client upgrader (exactly the headers given: `Origin` only when
    /// `origin` is set), sends one text message and returns its echo; nil when not upgraded.
    static func echo(_ message: String, port: Int, origin: String?) async throws -> String? {
        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .websocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                        }
                    })
                    var headers: HTTPHeaders = ["Host": "127.0.0.1:\(port)", "Content-Length": "0"]
                    if let origin { headers.add(name: "Origin", value: origin) }
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: HTTPRequestHead(
                            version: .http1_1, method: .GET, uri: "/ws", headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { .notUpgraded }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        guard case .websocket(let socket) = try await upgrade.get() else { return nil }
        return try await socket.executeThenClose { inbound, outbound in
            let frame = WebSocketFrame(
                fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: message))
            try await outbound.write(frame)
            for try await reply in inbound where reply.opcode == .text {
                return String(buffer: reply.unmaskedData)
            }
            return nil
        }
    }

    /// The raw handshake over HTTP, to see the status a refused upgrade gets.
    static func handshakeStatus(base: String, origin: String?) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/ws")
        request.headers.add(name: "Connection", value: "Upgrade")
        request.headers.add(name: "Upgrade", value: "websocket")
        request.headers.add(name: "Sec-WebSocket-Version", value: "13")
        request.headers.add(name: "Sec-WebSocket-Key", value: "dGhlIHNhbXBsZSBub25jZQ==")
        if let origin { request.headers.add(name: "Origin", value: origin) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return response.status.code
    }

    // A frame the server swallows after the 101 would otherwise wait forever.
    @Test(.timeLimit(.minutes(2)), arguments: AdapterParityTests.adapters, origins)
    func upgradeIsGuarded(adapter: String, origin: OriginCase) async throws {
        let server = try await CORSProcess.serve(["--adapter", adapter, "--log-level", "warning"])
        defer { server.stop() }
        let port = try #require(server.baseURL.split(separator: ":").last.flatMap { Int($0) })
        if origin.upgraded {
            let reply = try await Self.echo("hello", port: port, origin: origin.origin)
            #expect(reply == "hello")
        } else {
            #expect(try await Self.handshakeStatus(base: server.baseURL, origin: origin.origin) == 403)
            // NIO's client reports a refused upgrade as an error or as "not upgraded": either way, no socket.
            let reply = try? await Self.echo("hello", port: port, origin: origin.origin)
            #expect(reply == nil)
        }
    }

    /// The gateway in front of the echo API: the same rule, applied before anything goes upstream,
    /// and an allowed socket tunnelled to the echo API's `/ws`.
    @Test(.timeLimit(.minutes(2)), arguments: origins)
    func upgradeThroughTheGatewayIsGuarded(origin: OriginCase) async throws {
        let upstream = try await CORSProcess.serve(["--log-level", "warning"])
        defer { upstream.stop() }
        let gateway = try await CORSProcess.serve(["--upstream", upstream.baseURL, "--log-level", "warning"])
        defer { gateway.stop() }
        let port = try #require(gateway.baseURL.split(separator: ":").last.flatMap { Int($0) })
        if origin.upgraded {
            for message in ["hello", String(repeating: "long message ", count: 1000)] {
                #expect(try await Self.echo(message, port: port, origin: origin.origin) == message)
            }
        } else {
            #expect(try await Self.handshakeStatus(base: gateway.baseURL, origin: origin.origin) == 403)
            let reply = try? await Self.echo("hello", port: port, origin: origin.origin)
            #expect(reply == nil)
        }
    }

    @Test(arguments: AdapterParityTests.adapters)
    func plainGetOfTheSocketPathIsTheEchoAPI(adapter: String) async throws {
        let server = try await CORSProcess.serve(["--adapter", adapter, "--log-level", "warning"])
        defer { server.stop() }
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: server.baseURL + "/ws"), timeout: .seconds(10))
        #expect(response.status == .ok)
    }
}
