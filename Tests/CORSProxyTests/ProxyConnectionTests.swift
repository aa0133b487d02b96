import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Testing

@testable import CORSProxy

/// The proxy on its event-loop path: TLS to the checked address, limits enforced while bodies
/// stream, pipelining across followed redirects, pooled connections retried.
@Suite struct ProxyConnectionTests {
    static let origin = "http://app.test"

    /// Loopback only, trusting the test CA (`Fixtures/README.md`) and nothing else.
    static func upstreamsTrustingTestCA() throws -> ProxyUpstreams {
        var connections = UpstreamPool.Configuration()
        connections.connectTimeout = .seconds(2)
        return try ProxyUpstreams(connections: connections, tlsConfiguration: TLSFixtures.trustingTestCA()) {
            $0 == TestUpstream.loopback
        }
    }

    @Test func anHTTPSTargetIsFetchedFromTheCheckedAddressAndItsCertificateChecked() async throws {
        let upstream = try await TLSUpstream()
        let proxy = makeProxy(upstreams: try Self.upstreamsTrustingTestCA())
        try await proxy.test(.live) { client in
            for _ in 0..<2 {
                let response = try await client.execute(
                    uri: "/https://127.0.0.1:\(upstream.port)/x", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(response.text == "ok over TLS")
                #expect(response.values("Access-Control-Allow-Origin") == ["*"])
            }
        }
        try await upstream.close()
    }

    @Test func aNameWithoutADotIsServedOnlyForLocalDevelopment() async throws {
        let resolver = MapResolver(single: ["localhost": ["127.0.0.1"]])
        try await withUpstream { port in
            try await makeProxy(resolver: resolver).test(.live) { client in
                let response = try await client.execute(
                    uri: "/http://localhost:\(port)/echo", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .notFound)
                #expect(response.text.contains("Invalid host: localhost"))
            }
            try await makeProxy(resolver: resolver, configure: { $0.targetGuard.allowPrivate = true }).test(.live) {
                client in
                let response = try await client.execute(
                    uri: "/http://localhost:\(port)/echo", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix("GET /echo"))
            }
        }
    }

    @Test func anHTTPSTargetWithAnUntrustedCertificateIs502() async throws {
        let upstream = try await TLSUpstream()
        // The system's trust roots: the test CA is not among them.
        let resolver = MapResolver(single: ["secure.test": ["127.0.0.1"]])
        try await makeProxy(resolver: resolver).test(.live) { client in
            let response = try await client.execute(
                uri: "/https://secure.test:\(upstream.port)/x", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .badGateway)
            #expect(response.text.contains("TLS handshake with secure.test"))
            #expect(response.values("Access-Control-Allow-Origin") == ["*"])
        }
        try await upstream.close()
    }

    @Test func aTrustedCertificateForAnotherNameIs502BeforeTheRequestIsSent() async throws {
        // The test certificate is trusted here and names `localhost` and the address 127.0.0.1,
        // where secure.test resolves: NIOSSL alone accepts it (the IP name matches the connected
        // address); a browser, and now the proxy, do not.
        let upstream = try await TLSUpstream()
        let resolver = MapResolver(single: ["secure.test": ["127.0.0.1"]])
        try await makeProxy(resolver: resolver, upstreams: try Self.upstreamsTrustingTestCA()).test(.live) { client in
            let response = try await client.execute(
                uri: "/https://secure.test:\(upstream.port)/x", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .badGateway)
            #expect(response.text.contains("TLS handshake with secure.test"))
            #expect(response.text.contains("its certificate names localhost, not secure.test"))
            #expect(response.values("Access-Control-Allow-Origin") == ["*"])
        }
        #expect(upstream.requestsServed == 0)
        try await upstream.close()
    }

    @Test func aChunkedUploadOverTheLimitIs413() async throws {
        try await withUpstream { port in
            try await makeProxy(configure: { $0.maxBodyBytes = 1000 }).test(.live) { client in
                let chunk = String(repeating: "b", count: 600)
                let text = try await rawExchange(
                    port: client.port!,
                    "POST /http://upstream.test:\(port)/echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
                ) { $0.contains("bytes.\n") }
                #expect(text.hasPrefix("HTTP/1.1 413"))
                #expect(text.contains("Request body too large: this proxy accepts at most 1000 bytes."))
            }
        }
    }

    @Test func aStreamedAnswerOverTheLimitIsCutShort() async throws {
        try await withUpstream { port in
            // `/stream` sends "hello" without a length: the limit can only be seen while it streams.
            try await makeProxy(configure: { $0.maxBodyBytes = 3 }).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "GET /http://upstream.test:\(port)/stream HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                ) { _ in false }
                #expect(text.hasPrefix("HTTP/1.1 200"), "the head the access log names, not an empty reply: \(text)")
                #expect(!text.contains("hello"))
                #expect(!text.hasSuffix("0\r\n\r\n"), "the answer must not look complete")
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAcrossAFollowedRedirect() async throws {
        try await withUpstream { port in
            try await makeProxy().test(.live) { client in
                let request = { (path: String) in
                    "GET /http://upstream.test:\(port)\(path) HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                }
                let text = try await rawExchange(
                    port: client.port!,
                    request("/redirect/302?to=/echo/first") + request("/echo/second") + request("/echo/third")
                ) { $0.components(separatedBy: "HTTP/1.1 200").count == 4 && $0.contains("GET /echo/third") }
                let first = try #require(text.range(of: "GET /echo/first"))
                let second = try #require(text.range(of: "GET /echo/second"))
                let third = try #require(text.range(of: "GET /echo/third"))
                #expect(first.lowerBound < second.lowerBound && second.lowerBound < third.lowerBound)
                #expect(text.contains("X-CORS-Redirect-1: 302 /echo/first"))
            }
        }
    }

    @Test func theTimeLimitCountsFromEachRequestOnAKeptAliveConnection() async throws {
        try await withUpstream { port in
            // A limit well above the warm-up's answer (milliseconds) and below /slow's 3 s. Only lower
            // bounds on elapsed time are checked: a timer never fires early, however busy the machine.
            try await makeProxy(configure: { $0.timeout = .seconds(2) }).test(.live) { client in
                let first = try await client.execute(
                    uri: "/http://upstream.test:\(port)/echo", method: .get, headers: [.origin: Self.origin])
                #expect(first.status == .ok)
                try await Task.sleep(for: .milliseconds(1500))
                // Counted from the first request, the limit would end at most 500 ms into this one.
                let start = ContinuousClock.now
                let second = try await client.execute(
                    uri: "/http://upstream.test:\(port)/slow", method: .get, headers: [.origin: Self.origin])
                let elapsed = ContinuousClock.now - start
                #expect(second.status == .gatewayTimeout)
                #expect(elapsed >= .milliseconds(1900), "\(elapsed)")
            }
        }
    }

    @Test func manyAnswerFieldsAreExposedOnceEach() async throws {
        // An upstream can send thousands of tiny fields: the expose list stays linear and deduplicated.
        var fields = ""
        for index in 0..<2000 { fields += "h\(index): 1\r\n" }
        fields += "H1: again\r\n"
        let upstream = try await RawUpstream(reply: "HTTP/1.1 200 OK\r\n\(fields)Content-Length: 2\r\n\r\nok")
        try await makeProxy().test(.live) { client in
            let response = try await client.execute(
                uri: "/http://upstream.test:\(upstream.port)/", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .ok)
            let exposed = response.headers[.accessControlExposeHeaders]?.split(separator: ",") ?? []
            #expect(exposed.filter { $0 == "h1" }.count == 1)
            #expect(exposed.contains("h1999"))
        }
        try await upstream.close()
    }

    @Test func aShortAnswerExposesEachNameOnceInAnyCase() async throws {
        // Under 33 fields the list is searched, not a set: repeats in another case, and names that
        // are prefixes of one another, must come out once each.
        let reply =
            "HTTP/1.1 200 OK\r\nX-Ab: 1\r\nx-a: 2\r\nX-A: 3\r\nX-ABC: 4\r\nx-ab: 5\r\nContent-Length: 2\r\n\r\nok"
        let upstream = try await RawUpstream(reply: reply)
        try await makeProxy().test(.live) { client in
            let response = try await client.execute(
                uri: "/http://upstream.test:\(upstream.port)/", method: .get, headers: [.origin: Self.origin])
            #expect(response.status == .ok)
            let exposed = response.headers[.accessControlExposeHeaders]?.split(separator: ",").map(String.init) ?? []
            #expect(exposed == ["x-ab", "x-a", "x-abc", "content-length", "x-request-url", "x-final-url"])
        }
        try await upstream.close()
    }

    @Test func theExposedListFindsWholeNamesOnly() {
        let list = Array("x-ab,x-a,content-type".utf8)
        #expect(ExposedList.contains(list, "X-A"))
        #expect(ExposedList.contains(list, "x-ab"))
        #expect(ExposedList.contains(list, "Content-Type"))
        #expect(!ExposedList.contains(list, "x"))
        #expect(!ExposedList.contains(list, "x-abc"))
        #expect(!ExposedList.contains(list, "type"))
        #expect(!ExposedList.contains([], "x-a"))
    }

    @Test func trailerFieldsKeepNoCookiesEitherWay() async throws {
        let answer = try await RawUpstream(
            reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                + "Set-Cookie: session=secret\r\nX-Checksum: abc\r\n\r\n")
        try await makeProxy().test(.live) { client in
            let text = try await rawExchange(
                port: client.port!,
                "GET /http://upstream.test:\(answer.port)/ HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
            ) { $0.lowercased().contains("x-checksum") && $0.hasSuffix("\r\n\r\n") }
            #expect(text.lowercased().contains("x-checksum: abc"))
            #expect(!text.lowercased().contains("session=secret"))
        }
        try await answer.close()
        let recording = try await RecordingUpstream()
        try await makeProxy().test(.live) { client in
            _ = try await rawExchange(
                port: client.port!,
                "POST /http://upstream.test:\(recording.port)/ HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nCookie: session=secret\r\nX-Sum: 2\r\n\r\n"
            ) { $0.contains("recorded") }
        }
        let received = recording.received.withLockedValue { $0 }.lowercased()
        #expect(received.contains("x-sum: 2"))
        #expect(!received.contains("session=secret"))
        try await recording.close()
    }

    @Test func aRedirectWithAnEndlessBodyIsFollowedWithoutReadingItAll() async throws {
        try await withUpstream { port in
            // 100 KB of a body announced as 10 MB, then silence: only the first 64 KiB are read.
            let redirect = try await RawUpstream(
                reply: "HTTP/1.1 302 Found\r\nLocation: http://upstream.test:\(port)/echo\r\n"
                    + "Content-Length: 10000000\r\n\r\n" + String(repeating: "x", count: 100_000),
                closeAfterReply: false)
            try await makeProxy(configure: { $0.timeout = .seconds(10) }).test(.live) { client in
                // Were the 10 MB body read to its end, the upstream (which stops sending) would
                // hold the exchange until the 10 s limit: a 504, not the next hop's answer.
                let response = try await client.execute(
                    uri: "/http://upstream.test:\(redirect.port)/", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(response.text.contains("GET /echo"))
            }
            try await redirect.close()
        }
    }

    @Test func anUploadGoingOnAfterIts413IsCutOff() async throws {
        try await withUpstream { port in
            try await makeProxy(configure: { $0.maxBodyBytes = 1000 }).test(.live) { client in
                let chunk = String(repeating: "b", count: 600)
                let endless = String(repeating: "c", count: 1_200_000)
                let (text, closed) = try await rawExchangeToClose(
                    port: client.port!,
                    "POST /http://upstream.test:\(port)/echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n"
                        + String(endless.utf8.count, radix: 16) + "\r\n\(endless)\r\n")
                #expect(text.hasPrefix("HTTP/1.1 413"))
                #expect(closed, "closed, not left open")
            }
        }
    }

    @Test(arguments: [false, true])
    func aDroppedKeepAliveConnectionIsRetriedOnce(reset: Bool) async throws {
        let upstream = try await OneShotUpstream(reset: reset)
        try await makeProxy().test(.live) { client in
            for _ in 0..<3 {
                let response = try await client.execute(
                    uri: "/http://upstream.test:\(upstream.port)/x", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(response.text == "ok")
            }
        }
        #expect(upstream.requests.withLockedValue { $0 } == 3)
        try await upstream.close()
    }

    @Test func aDNSLookupHappensOncePerRequestAndHop() async throws {
        try await withUpstream { port in
            let resolver = MapResolver(single: ["upstream.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]])
            try await makeProxy(resolver: resolver).test(.live) { client in
                let response = try await client.execute(
                    uri: "/http://upstream.test:\(port)/redirect/302?to=http://other.test:\(port)/echo", method: .get,
                    headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(response.text.contains("host: other.test:\(port)"))
                #expect(resolver.lookups(of: "upstream.test") == 1)
                #expect(resolver.lookups(of: "other.test") == 1)
            }
        }
    }
}
