import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Black-box: `cors audit` against `cors serve` and against a deliberately broken server.
@Suite(.serialized) struct AuditTests {
    static let strictPolicy = """
        {
          "origins": ["https://app.example.com", "https://*.example.org"],
          "methods": ["GET", "POST", "PUT", "DELETE"],
          "allowedHeaders": ["Content-Type", "Authorization"],
          "credentials": true,
          "maxAge": 600
        }
        """

    @Test func strictPolicyPasses() async throws {
        let policy = try PolicyFileFixture(Self.strictPolicy)
        defer { policy.remove() }
        let server = try await CORSProcess.serve(["--policy", policy.path])
        defer { server.stop() }
        let outcome = try await CORSProcess.run([
            "audit", server.baseURL + "/api/me", "--trusted-origin", "https://app.example.com", "--path", "/other",
            "--header", "Cookie: session=abc", "--budget", "100", "--rate", "500",
        ])
        #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("nothing of medium or higher severity found"))
    }

    @Test func developmentDefaultPasses() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let outcome = try await CORSProcess.run(["audit", server.baseURL + "/", "--json", "--rate", "500"])
        #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        #expect((json?["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func reflectingServerIsHigh() async throws {
        let server = try await ReflectingServer.start()
        let outcome = try await CORSProcess.run(["audit", server.baseURL + "/api/me", "--json", "--rate", "500"])
        await server.stop()
        #expect(outcome.status == 1, "\(outcome.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        let findings = try #require(json?["findings"] as? [[String: Any]])
        let reflect = try #require(findings.first { $0["id"] as? String == "reflect-any-origin" })
        #expect(reflect["severity"] as? String == "high")
        #expect(reflect["origin"] as? String == "https://evil.example")
        #expect(reflect["evidence"] is [String: Any])
        #expect((reflect["fix"] as? String)?.isEmpty == false)
    }

    @Test func reflectingServerHumanOutput() async throws {
        let server = try await ReflectingServer.start()
        let outcome = try await CORSProcess.run(["audit", server.baseURL + "/", "--rate", "500"])
        await server.stop()
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.contains("HIGH ("))
        #expect(outcome.standardOutput.contains("reflect-any-origin"))
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(arguments: ["audit", "http://127.0.0.1:1/", "--timeout", "2"], message: "could not audit"),
        ErrorCase(arguments: ["audit", "not-a-url"], message: "not an absolute http(s) URL"),
        ErrorCase(arguments: ["audit", "http://127.0.0.1:1/", "--header", "no colon"], message: "--header"),
        ErrorCase(
            arguments: ["audit", "http://127.0.0.1:1/", "--trusted-origin", "https://a.example/x"],
            message: "not an origin"),
    ]

    @Test(arguments: errorCases)
    func errorsExitTwo(_ errorCase: ErrorCase) async throws {
        let outcome = try await CORSProcess.run(errorCase.arguments)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains(errorCase.message), "\(outcome.standardError)")
    }

    @Test func aNetworkErrorWithJSONIsOneObjectOnStandardOutput() async throws {
        let outcome = try await CORSProcess.run(["audit", "http://127.0.0.1:1/", "--timeout", "2", "--json"])
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput.hasPrefix(#"{"findings":null,"error":{"message":"#), "\(outcome.standardOutput)")
    }

    @Test func helpNamesTheOptions() async throws {
        let outcome = try await CORSProcess.run(["audit", "--help"])
        for option in ["--json", "--trusted-origin", "--path", "--header", "--budget", "--rate", "--timeout"] {
            #expect(outcome.standardOutput.contains(option), "\(option)")
        }
    }
}

/// Reflects any `Origin` with `Access-Control-Allow-Credentials: true`: the textbook misconfiguration.
struct ReflectingServer {
    let channel: any Channel

    var baseURL: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    static func start() async throws -> ReflectingServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReflectingHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ReflectingServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

final class ReflectingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let body = #"{"user": "alice"}"#
            var headers = HTTPHeaders([("Content-Length", "\(body.utf8.count)"), ("Vary", "Origin")])
            if let origin = head.headers.first(name: "Origin") {
                headers.add(name: "Access-Control-Allow-Origin", value: origin)
                headers.add(name: "Access-Control-Allow-Credentials", value: "true")
                headers.add(name: "Access-Control-Allow-Methods", value: "GET, PUT, POST, DELETE")
                headers.add(name: "Access-Control-Allow-Headers", value: "content-type")
            }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }
}
