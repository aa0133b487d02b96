import CORS
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

@testable import CORSProxy

/// The test CA and the `localhost` certificate it signed (`Fixtures/README.md`).
enum TLSFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A client configuration that trusts the test CA only.
    static func trustingTestCA() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(path("test-ca.pem"))
        return configuration
    }
}

/// An HTTPS upstream on 127.0.0.1 with the `localhost` certificate; answers `ok over TLS`.
final class TLSUpstream: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    /// Requests that reached the responder (over a completed handshake).
    var requestsServed: Int { served.withLockedValue { $0 } }
    private let served: NIOLockedValueBox<Int>

    /// - Parameter host: the loopback address it listens on (its certificate names 127.0.0.1 only).
    init(host: String = "127.0.0.1") async throws {
        let chain = try NIOSSLCertificate.fromPEMFile(TLSFixtures.path("localhost-cert.pem"))
        let key = try NIOSSLPrivateKey(file: TLSFixtures.path("localhost-key.pem"), format: .pem)
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        let served = NIOLockedValueBox(0)
        self.served = served
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(NIOSSLServerHandler(context: context))
                    try operations.configureHTTPServerPipeline()
                    try operations.addHandler(Responder(served: served))
                }
            }
            .bind(host: host, port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let served: NIOLockedValueBox<Int>

        init(served: NIOLockedValueBox<Int>) {
            self.served = served
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            served.withLockedValue { $0 += 1 }
            let body = ByteBuffer(string: "ok over TLS")
            let head = HTTPResponseHead(
                version: .http1_1, status: .ok,
                headers: ["Content-Length": "\(body.readableBytes)", "Access-Control-Allow-Origin": "*"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// `cors serve --upstream https://…`: the gateway speaks TLS to its upstream and checks its certificate.
@Suite struct GatewayTLSTests {
    static let origin = GatewayTests.origin

    static func gateway(upstream: TLSUpstream, tls: TLSConfiguration?, host: String = "localhost") throws
        -> ServerUnderTest
    {
        let policy = try CORSPolicy(CORSConfiguration(origins: [origin]))
        let configuration = try GatewayConfiguration(upstream: "https://\(host):\(upstream.port)", policy: policy)
        var connections = UpstreamPool.Configuration()
        connections.connectTimeout = .seconds(2)
        return ServerUnderTest(
            gateway: try Gateway(
                configuration: configuration, connections: connections, tlsConfiguration: tls,
                logger: quiet("gateway")))
    }

    @Test func aTrustedUpstreamCertificateIsServed() async throws {
        let upstream = try await TLSUpstream()
        try await Self.gateway(upstream: upstream, tls: TLSFixtures.trustingTestCA()).test(.live) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok over TLS")
                #expect(response.headers[values: .accessControlAllowOrigin] == [Self.origin])
            }
        }
        try await upstream.close()
    }

    @Test func anUntrustedUpstreamCertificateIs502WithCORSHeaders() async throws {
        let upstream = try await TLSUpstream()
        // The system's trust roots: the test CA is not among them.
        try await Self.gateway(upstream: upstream, tls: nil).test(.live) { client in
            let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .badGateway)
            #expect(response.headers[.accessControlAllowOrigin] == Self.origin)
            let text = String(buffer: response.body)
            #expect(text.contains("Bad gateway: the TLS handshake with localhost"))
            #expect(text.contains("CERTIFICATE_VERIFY_FAILED"), "\(text)")
            // BoringSSL's source locations would show this machine's build paths to every client.
            #expect(!text.contains(" at /") && !text.contains(".cc:"), "\(text)")
        }
        try await upstream.close()
    }

    @Test func sourceLocationsAreCutFromTLSErrorText() {
        struct Sample: Error, CustomStringConvertible {
            let description =
                "handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:"
                + "CERTIFICATE_VERIFY_FAILED at /build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/handshake.cc:393,"
                + " Error: 1 x at /a/b.c:2]))"
        }
        #expect(
            TLSErrorText.describe(Sample())
                == "handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:"
                + "CERTIFICATE_VERIFY_FAILED, Error: 1 x]))")
    }

    @Test func anAddressTheCertificateDoesNotNameIs502SayingTLS() async throws {
        // NIOSSL's own check refuses this one (the certificate names 127.0.0.1, not 127.0.0.2):
        // its error must read as a failed handshake, not as a closed connection.
        let upstream = try await TLSUpstream(host: "127.0.0.2")
        try await Self.gateway(upstream: upstream, tls: TLSFixtures.trustingTestCA(), host: "127.0.0.2").test(.live) {
            client in
            let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .badGateway)
            #expect(String(buffer: response.body).contains("Bad gateway: the TLS handshake with 127.0.0.2"))
        }
        #expect(upstream.requestsServed == 0)
        try await upstream.close()
    }

    @Test func aConfigurationWithoutVerificationIsTakenAtItsWord() async throws {
        // A library caller may turn verification off (NIOSSL then refuses the name-check hook:
        // it must not be installed, nor crash the process).
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let upstream = try await TLSUpstream()
        try await Self.gateway(upstream: upstream, tls: tls).test(.live) { client in
            let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "ok over TLS")
        }
        try await upstream.close()
    }
}
