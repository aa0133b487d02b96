import CORS
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

@testable import CORSProxy

/// Requests and answers the gateway and the proxy must not pass on as they are, found by
/// black-box testing: a bad `Host`, a path stepping out of the upstream's base path, a body whose
/// end can't be known, bytes an upstream sends after its answer.
@Suite struct RequestHygieneTests {
    static let origin = GatewayTests.origin

    struct HostCase: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        /// nil: forwarded (the upstream's 200); otherwise the start of the 400's message.
        let refusal: String?
        var testDescription: String { name }
    }

    static let hostCases: [HostCase] = [
        HostCase(
            name: "two Host fields", request: "GET /echo HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n",
            refusal: "Bad request: more than one Host header field."),
        HostCase(
            name: "HTTP/1.1 without Host", request: "GET /echo HTTP/1.1\r\nAccept: */*\r\n\r\n",
            refusal: "Bad request: an HTTP/1.1 request needs a Host header field."),
        HostCase(
            name: "not host[:port]", request: "GET /echo HTTP/1.1\r\nHost: a b/c@d\r\n\r\n",
            refusal: "Bad request: the Host header field is not host[:port]."),
        HostCase(
            name: "a port that is not a number", request: "GET /echo HTTP/1.1\r\nHost: a.test:80x\r\n\r\n",
            refusal: "Bad request: the Host header field is not host[:port]."),
        HostCase(
            name: "an unclosed IPv6 literal", request: "GET /echo HTTP/1.1\r\nHost: [::1\r\n\r\n",
            refusal: "Bad request: the Host header field is not host[:port]."),
        HostCase(
            name: "a name and a port", request: "GET /echo HTTP/1.1\r\nHost: localhost:8080\r\n\r\n", refusal: nil),
        HostCase(
            name: "an IPv6 literal and a port", request: "GET /echo HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", refusal: nil),
        HostCase(
            name: "percent-encoded and sub-delims", request: "GET /echo HTTP/1.1\r\nHost: a%41!b\r\n\r\n", refusal: nil),
        HostCase(
            name: "empty (a target without authority)", request: "GET /echo HTTP/1.1\r\nHost:\r\n\r\n", refusal: nil),
        HostCase(name: "HTTP/1.0 without Host", request: "GET /echo HTTP/1.0\r\n\r\n", refusal: nil),
    ]

    @Test(arguments: hostCases)
    func theHostFieldIsCheckedAsRFC9112Requires(_ testCase: HostCase) async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(port: client.port!, testCase.request) { $0.contains("\r\n\r\n") }
                if let refusal = testCase.refusal {
                    #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
                    #expect(text.contains(refusal), "\(text)")
                } else {
                    #expect(text.hasPrefix("HTTP/1.") && text.contains(" 200 OK"), "\(text)")
                }
            }
        }
        #expect(await hits.hits == (testCase.refusal == nil ? 1 : 0))
    }

    @Test func theProxyChecksTheHostFieldToo() async throws {
        try await makeProxy().test(.live) { client in
            let text = try await rawExchange(
                port: client.port!,
                "GET /http://upstream.test/x HTTP/1.1\r\nHost: a\r\nHost: b\r\nOrigin: \(Self.origin)\r\n\r\n"
            ) { $0.contains("\r\n\r\n") }
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
            #expect(text.contains("more than one Host"), "\(text)")
        }
    }

    struct PathCase: Sendable, CustomTestStringConvertible {
        let target: String
        let refused: Bool
        var testDescription: String { target }
    }

    static let pathCases: [PathCase] = [
        PathCase(target: "/../secret", refused: true),
        PathCase(target: "/%2e%2E/secret", refused: true),
        PathCase(target: "/a/./b", refused: true),
        PathCase(target: "/a/.%2e", refused: true),
        PathCase(target: "/echo/..?x=1", refused: true),
        // Found by review: what some upstreams resolve as `..` after their own decoding.
        PathCase(target: "/..;/manager/html", refused: true),
        PathCase(target: "/..;jsessionid=1/x", refused: true),
        PathCase(target: "/a\\..\\secret", refused: true),
        PathCase(target: "/a%2f..%2fsecret", refused: true),
        PathCase(target: "/a%5C..%5Csecret", refused: true),
        PathCase(target: "/echo/a;b=..", refused: false),
        PathCase(target: "/echo/..x", refused: false),
        PathCase(target: "/echo/v1.0/...", refused: false),
        PathCase(target: "/echo?path=/../x", refused: false),
    ]

    @Test(arguments: pathCases)
    func aPathCannotLeaveTheUpstreamsBasePath(_ testCase: PathCase) async throws {
        try await withUpstream { upstreamPort in
            let policy = try CORSPolicy(CORSConfiguration(origins: [Self.origin]))
            let gateway = try Gateway(
                configuration: try GatewayConfiguration(
                    upstream: "http://127.0.0.1:\(upstreamPort)/base", policy: policy),
                logger: quiet("gateway"))
            try await ServerUnderTest(gateway: gateway).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "GET \(testCase.target) HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                ) { $0.contains("\r\n\r\n") }
                if testCase.refused {
                    #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
                    #expect(text.contains("leave the upstream's base path /base"), "\(text)")
                    #expect(text.lowercased().contains("access-control-allow-origin: \(Self.origin)"))
                } else {
                    // The test upstream answers 404 for /base/…: the request reached it.
                    #expect(text.hasPrefix("HTTP/1.1 404"), "\(text)")
                }
            }
        }
    }

    @Test func aBodyNotEndingChunkedIs400AndTheConnectionCloses() async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\nxxxxx"
                        + "GET /echo/after HTTP/1.1\r\nHost: localhost\r\n\r\n"
                ) { _ in false }
                #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
                #expect(text.contains("chunked must be its last transfer coding"), "\(text)")
                #expect(text.lowercased().contains("connection: close"), "\(text)")
                #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer only: \(text)")
            }
        }
        #expect(await hits.hits == 0)
    }

    struct StrayCase: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let reply: String
        let answer: String
        var testDescription: String { name }
    }

    static let strayCases: [StrayCase] = [
        StrayCase(
            name: "a body on a HEAD answer", request: "HEAD /x HTTP/1.1\r\nHost: localhost\r\n\r\n",
            reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", answer: "content-length: 2"),
        StrayCase(
            name: "an answer nobody asked for", request: "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n",
            reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad",
            answer: "\r\n\r\nok"),
        StrayCase(
            name: "bytes that are not HTTP", request: "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n",
            reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\u{0}\u{1}garbage", answer: "\r\n\r\nok"),
    ]

    @Test(arguments: strayCases)
    func bytesAfterACompleteAnswerDoNotHoldItBack(_ testCase: StrayCase) async throws {
        // The upstream keeps its connection open: only the stray bytes can end the exchange.
        let upstream = try await RawUpstream(reply: testCase.reply, closeAfterReply: false)
        try await GatewayTests.gateway(port: upstream.port).test(.live) { client in
            for _ in 0..<2 {
                let text = try await rawExchange(port: client.port!, testCase.request) {
                    $0.lowercased().contains(testCase.answer)
                }
                #expect(text.hasPrefix("HTTP/1.1 200 OK"), "\(text)")
                #expect(text.lowercased().contains(testCase.answer), "\(text)")
                #expect(!text.contains("bad"), "\(text)")
            }
        }
        try await upstream.close()
    }
}

/// `X-Forwarded-Proto` and `-Host` say what the gateway or proxy saw, whatever the client claims;
/// `X-Forwarded-For` keeps the chain and appends the client.
@Suite struct ForwardedFieldsTests {
    static let claims =
        "GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\n"
        + "X-Forwarded-For: 203.0.113.9\r\nForwarded: proto=https;host=evil.test\r\nX-Real-IP: 6.6.6.6\r\n"
        + "X-Forwarded-Port: 443\r\nX-Forwarded-Prefix: /admin\r\n\r\n"

    @Test func aClientsClaimsAreReplacedByWhatTheGatewaySaw() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(port: client.port!, Self.claims) { $0.contains("body-bytes") }
                #expect(text.contains("x-forwarded-proto: http\n"), "\(text)")
                #expect(text.contains("x-forwarded-host: localhost\n"), "\(text)")
                #expect(!text.contains("https") && !text.contains("evil.test"), "\(text)")
                #expect(text.contains("x-forwarded-for: 203.0.113.9, 127.0.0.1\n"), "\(text)")
                // Found by review: the other claims a client can make about earlier hops go too.
                for name in ["forwarded:", "x-real-ip:", "x-forwarded-port:", "x-forwarded-prefix:"] {
                    #expect(!text.contains(name), "\(name) \(text)")
                }
            }
        }
    }

    @Test func behindATrustedProxyTheyArePassedOn() async throws {
        try await withUpstream { upstreamPort in
            let policy = try CORSPolicy(CORSConfiguration(origins: [GatewayTests.origin]))
            var configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstreamPort)", policy: policy)
            configuration.trustsForwardedFields = true
            let gateway = try Gateway(configuration: configuration, logger: quiet("gateway"))
            try await ServerUnderTest(gateway: gateway).test(.live) { client in
                let text = try await rawExchange(port: client.port!, Self.claims) { $0.contains("body-bytes") }
                #expect(text.contains("x-forwarded-proto: https\n"), "\(text)")
                #expect(text.contains("x-forwarded-host: evil.test\n"), "\(text)")
                #expect(text.contains("x-forwarded-for: 203.0.113.9, 127.0.0.1\n"), "\(text)")
                #expect(text.contains("forwarded: proto=https;host=evil.test\n"), "\(text)")
                #expect(text.contains("x-real-ip: 6.6.6.6\n"), "\(text)")
            }
        }
    }

    @Test func theProxyReplacesThemToo() async throws {
        try await withUpstream { port in
            try await makeProxy().test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    Self.claims.replacingOccurrences(of: "GET /echo", with: "GET /http://upstream.test:\(port)/echo")
                        .replacingOccurrences(of: "\r\n\r\n", with: "\r\nOrigin: http://app.test\r\n\r\n")
                ) { $0.contains("body-bytes") }
                #expect(text.contains("x-forwarded-proto: http\n"), "\(text)")
                #expect(text.contains("x-forwarded-host: localhost\n"), "\(text)")
                #expect(!text.contains("evil.test") && !text.contains("x-real-ip:"), "\(text)")
            }
        }
    }

    @Test func aBareIPv6AllowedTargetMatchesItsAddress() async throws {
        // Found by review: `--allow-target 0:0:0:0:0:0:0:1` was kept as written and matched nothing.
        let guardWithList = SSRFGuard(allowPrivate: true, allowedTargets: ["0:0:0:0:0:0:0:1"])
        let target = try TargetURL(parsing: "http://[::1]:8080/x", requireDottedName: false)
        _ = try await guardWithList.check(target)
    }
}

/// Found by a black-box pass: `X_Real_IP` and `X_Forwarded_Host` reached the upstream, where WSGI and
/// CGI servers read them as `X-Real-IP` and `X-Forwarded-Host`. Names with `_` are dropped, as
/// nginx does, unless the operator keeps them.
@Suite struct UnderscoreFieldTests {
    enum Forwarder: String, CaseIterable, Sendable { case gateway, proxy }

    static let request =
        "GET /echo HTTP/1.1\r\nHost: localhost\r\nX_Real_IP: 6.6.6.6\r\nX_Forwarded_Host: evil.test\r\n"
        + "My_Field: 1\r\nX-Kept: yes\r\n\r\n"

    @Test(arguments: Forwarder.allCases, [false, true])
    func namesWithUnderscoresAreDroppedUnlessKept(_ forwarder: Forwarder, keep: Bool) async throws {
        try await withUpstream { port in
            let server: ServerUnderTest
            var request = Self.request
            switch forwarder {
            case .gateway:
                let policy = try CORSPolicy(CORSConfiguration(origins: [GatewayTests.origin]))
                var configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(port)", policy: policy)
                configuration.keepsUnderscoreHeaders = keep
                server = ServerUnderTest(gateway: try Gateway(configuration: configuration, logger: quiet("gateway")))
            case .proxy:
                server = makeProxy(configure: { $0.keepsUnderscoreHeaders = keep })
                request =
                    request.replacingOccurrences(of: "GET /echo", with: "GET /http://upstream.test:\(port)/echo")
                    .replacingOccurrences(of: "\r\n\r\n", with: "\r\nOrigin: http://app.test\r\n\r\n")
            }
            let sent = request
            try await server.test(.live) { client in
                let text = try await rawExchange(port: client.port!, sent) { $0.contains("body-bytes") }
                #expect(text.contains("x-kept: yes\n"), "\(text)")
                for field in ["x_real_ip: 6.6.6.6", "x_forwarded_host: evil.test", "my_field: 1"] {
                    #expect(text.lowercased().contains(field + "\n") == keep, "\(field): \(text)")
                }
            }
        }
    }
}
