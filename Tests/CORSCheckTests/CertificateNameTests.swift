import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

@testable import CORSCheck

/// `cors check` fails an `https` request as Chromium does when the certificate does not name the
/// host in its subjectAltName, even where NIOSSL (and so AsyncHTTPClient) would accept it.
@Suite struct CertificateNameTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func trustingTestCA() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(fixture("test-ca.pem"))
        return configuration
    }

    static func send(_ url: String) async throws(CORSCheckError) -> CORSHTTPClient.Response {
        let client = CORSHTTPClient(
            configuration: .init(connectTimeout: .seconds(5), requestTimeout: .seconds(5)),
            tlsConfiguration: trustingTestCA())
        defer { Task { await client.shutdown() } }
        var headers = HTTPFields()
        headers[.origin] = "https://app.test"
        return try await client.send(method: "GET", url: url, headers: headers)
    }

    @Test func aCertificateNamingOnlyTheAddressFailsForTheHostName() async throws {
        let server = try await TLSServer(certificate: "address-only")
        let error = await #expect(throws: CORSCheckError.self) {
            _ = try await Self.send("https://localhost:\(server.port)/")
        }
        #expect(error?.kind == .tlsFailure)
        #expect(error?.message.contains("net::ERR_CERT_COMMON_NAME_INVALID") == true)
        #expect(error?.message.contains("it names 127.0.0.1 but not localhost") == true)
        #expect(server.requestsServed == 0)
        try await server.close()
    }

    @Test func theSameCertificateServesItsAddress() async throws {
        let server = try await TLSServer(certificate: "address-only")
        let response = try await Self.send("https://127.0.0.1:\(server.port)/")
        #expect(response.status == 200)
        try await server.close()
    }

    @Test func aCertificateNamingTheHostServesIt() async throws {
        let server = try await TLSServer(certificate: "localhost")
        let client = CORSHTTPClient(
            configuration: .init(connectTimeout: .seconds(5), requestTimeout: .seconds(5)),
            tlsConfiguration: Self.trustingTestCA())
        for _ in 0..<3 {
            let response = try await client.send(method: "GET", url: "https://localhost:\(server.port)/", headers: [:])
            #expect(response.status == 200)
        }
        await client.shutdown()
        // One probe per client and server (then its answer is kept), one kept-alive connection for
        // the requests.
        #expect(server.connectionsAccepted == 2)
        #expect(server.requestsServed == 3)
        try await server.close()
    }

    @Test func anUntrustedCertificateIsStillTheRequestsOwnTLSFailure() async throws {
        let server = try await TLSServer(certificate: "address-only")
        let client = CORSHTTPClient(configuration: .init(connectTimeout: .seconds(5), requestTimeout: .seconds(5)))
        let error = await #expect(throws: CORSCheckError.self) {
            _ = try await client.send(method: "GET", url: "https://localhost:\(server.port)/", headers: [:])
        }
        #expect(error?.kind == .tlsFailure)
        #expect(error?.message.contains("ERR_CERT_COMMON_NAME_INVALID") == false)
        await client.shutdown()
        try await server.close()
    }

    struct TargetCase: Sendable, CustomTestStringConvertible {
        let host: String
        let target: CertificateNameProbe.Target?
        var testDescription: String { host }
    }

    static let targets: [TargetCase] = [
        TargetCase(host: "api.example.com", target: .name("api.example.com")),
        TargetCase(host: "localhost", target: .name("localhost")),
        TargetCase(host: "127.0.0.1", target: .address([127, 0, 0, 1], connectTo: "127.0.0.1")),
        TargetCase(host: "[::1]", target: .address(Array(repeating: 0, count: 15) + [1], connectTo: "::1")),
        // Browsers read these as IPv4 addresses (127.0.0.1): not judged as names.
        TargetCase(host: "127.1", target: nil),
        TargetCase(host: "0x7f.1", target: nil),
        TargetCase(host: "example.0x10", target: nil),
        // Its certificate carries the punycode form, which this model does not compute.
        TargetCase(host: "bücher.example", target: nil),
        TargetCase(host: "[not-an-address]", target: nil),
    ]

    @Test(arguments: targets) func hostsAreJudgedAsNamesOrAddresses(_ testCase: TargetCase) {
        #expect(CertificateNameProbe.Target(host: testCase.host) == testCase.target)
    }

    @Test func subjectAltNamesAreMatchedAsABrowserDoes() throws {
        let localhost = try NIOSSLCertificate.fromPEMFile(Self.fixture("localhost-cert.pem"))[0]
        let addressOnly = try NIOSSLCertificate.fromPEMFile(Self.fixture("address-only-cert.pem"))[0]
        let loopback = CertificateNameProbe.Target.address([127, 0, 0, 1], connectTo: "127.0.0.1")
        #expect(CertificateNameProbe.mismatch(localhost, target: .name("localhost")) == nil)
        #expect(CertificateNameProbe.mismatch(localhost, target: .name("LOCALHOST.")) == nil)
        #expect(CertificateNameProbe.mismatch(localhost, target: loopback) == nil)
        #expect(
            CertificateNameProbe.mismatch(localhost, target: .name("other.test"))
                == .init(host: "other.test", names: ["localhost", "127.0.0.1"]))
        #expect(
            CertificateNameProbe.mismatch(addressOnly, target: .name("localhost"))
                == .init(host: "localhost", names: ["127.0.0.1"]))
        #expect(CertificateNameProbe.mismatch(addressOnly, target: loopback) == nil)
        let ipv6Loopback = CertificateNameProbe.Target.address(
            Array(repeating: 0, count: 15) + [1], connectTo: "::1")
        #expect(CertificateNameProbe.mismatch(addressOnly, target: ipv6Loopback)?.names == ["127.0.0.1"])
    }
}

/// An HTTPS server on 127.0.0.1 with one of the fixture certificates; answers 200 `ok`.
final class TLSServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    /// Requests that reached the responder (over a completed handshake).
    var requestsServed: Int { served.count.withLock { $0 } }
    /// TCP connections accepted (each one a handshake).
    var connectionsAccepted: Int { accepted.count.withLock { $0 } }
    private let served = RequestCount()
    private let accepted = RequestCount()

    init(certificate name: String) async throws {
        let chain = try NIOSSLCertificate.fromPEMFile(CertificateNameTests.fixture("\(name)-cert.pem"))
        let key = try NIOSSLPrivateKey(file: CertificateNameTests.fixture("\(name)-key.pem"), format: .pem)
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        let served = self.served
        let accepted = self.accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.count.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OKResponder(served: served))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws {
        try await channel.close()
    }
}

final class RequestCount: Sendable {
    let count = Mutex<Int>(0)
}

/// Answers every request with 200 `ok` and counts it.
private final class OKResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let served: RequestCount

    init(served: RequestCount) {
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        served.count.withLock { $0 += 1 }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
