import CORS
import CORSNIO
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The docs/PEERS.md example policy: origin https://a.com, credentials, methods PUT and PURGE, request
/// header Authorization, max-age 30, expose X-Foo.
let peersPolicy = try! CORSPolicy(
    CORSConfiguration(
        origins: ["https://a.com"], methods: ["PUT", "PURGE"], allowedHeaders: ["Authorization"],
        exposedHeaders: ["X-Foo"], credentials: true, maxAge: 30))

struct Exchange: Sendable, CustomTestStringConvertible {
    var name: String
    var method: HTTPMethod = .GET
    var headers: [(String, String)] = []
    /// Headers the application's response carries.
    var responseHeaders: [(String, String)] = []
    /// Nil when the request must reach the application (which answers 200).
    var answeredWith: UInt? = nil
    /// Expected fields; nil means absent.
    var fields: [String: String?]

    var testDescription: String { name }
}

let exchanges: [Exchange] = [
    Exchange(name: "no Origin: Vary only", fields: ["Vary": "Origin", "Access-Control-Allow-Origin": nil]),
    Exchange(
        name: "allowed origin, actual request", headers: [("Origin", "https://a.com")],
        fields: [
            "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Credentials": "true",
            "Access-Control-Expose-Headers": "X-Foo", "Vary": "Origin", "Access-Control-Allow-Methods": nil,
        ]),
    Exchange(
        name: "refused origin reaches the application", headers: [("Origin", "https://evil.com")],
        fields: ["Access-Control-Allow-Origin": nil, "Vary": "Origin"]),
    Exchange(
        name: "application's Vary kept, its Access-Control-* replaced", headers: [("Origin", "https://a.com")],
        responseHeaders: [("Vary", "Accept-Encoding"), ("access-control-allow-origin", "https://bogus")],
        fields: ["Vary": "Accept-Encoding, Origin", "Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "OPTIONS without ACRM is not a preflight", method: .OPTIONS, headers: [("Origin", "https://a.com")],
        fields: ["Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "preflight for PURGE", method: .OPTIONS,
        headers: [("Origin", "https://a.com"), ("Access-Control-Request-Method", "PURGE")], answeredWith: 204,
        fields: [
            "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "PURGE", "Access-Control-Max-Age": "30",
            "Access-Control-Expose-Headers": nil, "Content-Length": nil,
        ]),
    Exchange(
        name: "preflight from a refused origin", method: .OPTIONS,
        headers: [("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT")], answeredWith: 403,
        fields: ["Access-Control-Allow-Origin": nil, "Content-Length": "0"]),
    Exchange(
        name: "preflight for a refused header", method: .OPTIONS,
        headers: [
            ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-secret"),
        ], answeredWith: 403, fields: ["Access-Control-Allow-Origin": nil]),
    Exchange(
        name: "WebSocket upgrade from a refused origin", headers: webSocketHeaders(origin: "https://evil.com"),
        answeredWith: 403, fields: ["Access-Control-Allow-Origin": nil]),
    Exchange(
        name: "WebSocket upgrade from null", headers: webSocketHeaders(origin: "null"), answeredWith: 403,
        fields: [:]),
    Exchange(
        name: "WebSocket upgrade from an allowed origin goes on", headers: webSocketHeaders(origin: "https://a.com"),
        fields: ["Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(name: "WebSocket upgrade without Origin goes on", headers: webSocketHeaders(origin: nil), fields: [:]),
]

func webSocketHeaders(origin: String?) -> [(String, String)] {
    var headers = [
        ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ]
    if let origin { headers.append(("Origin", origin)) }
    return headers
}

func request(_ method: HTTPMethod, _ uri: String, _ headers: [(String, String)]) -> HTTPRequestHead {
    HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers))
}

func response(_ status: HTTPResponseStatus = .ok, _ headers: [(String, String)] = []) -> HTTPResponseHead {
    HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers))
}

extension EmbeddedChannel {
    func readRequestHead() throws -> HTTPRequestHead? {
        while let part = try readInbound(as: HTTPServerRequestPart.self) {
            if case .head(let head) = part { return head }
        }
        return nil
    }

    func readResponseHead() throws -> HTTPResponseHead? {
        while let part = try readOutbound(as: HTTPServerResponsePart.self) {
            if case .head(let head) = part { return head }
        }
        return nil
    }

    func send(_ head: HTTPRequestHead) throws {
        try writeInbound(HTTPServerRequestPart.head(head))
        try writeInbound(HTTPServerRequestPart.end(nil))
    }

    func answer(_ head: HTTPResponseHead) throws {
        try writeOutbound(HTTPServerResponsePart.head(head))
        try writeOutbound(HTTPServerResponsePart.end(nil))
    }
}

func expectFields(
    _ fields: [String: String?], in headers: HTTPHeaders, sourceLocation: SourceLocation = #_sourceLocation
) {
    for (name, expected) in fields {
        if let expected {
            #expect(headers[name] == [expected], "\(name)", sourceLocation: sourceLocation)
        } else {
            #expect(headers[name].isEmpty, "\(name) should be absent", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct CORSChannelHandlerTests {
    @Test(arguments: exchanges)
    func behaviour(_ exchange: Exchange) throws {
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy))
        defer { _ = try? channel.finish() }
        try channel.send(request(exchange.method, "/x", exchange.headers))
        let forwarded = try channel.readRequestHead()
        if let status = exchange.answeredWith {
            #expect(forwarded == nil, "the application must not see it")
            let head = try #require(try channel.readResponseHead())
            #expect(head.status.code == status)
            expectFields(exchange.fields, in: head.headers)
        } else {
            #expect(forwarded?.uri == "/x")
            try channel.answer(response(.ok, exchange.responseHeaders))
            let head = try #require(try channel.readResponseHead())
            #expect(head.status == .ok)
            expectFields(exchange.fields, in: head.headers)
        }
    }

    @Test func pipelinedRequestsGetTheirOwnHeadersInOrder() throws {
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy))
        defer { _ = try? channel.finish() }
        // Three requests in flight before any response: actual, preflight, non-CORS.
        try channel.send(request(.GET, "/a", [("Origin", "https://a.com")]))
        try channel.send(
            request(.OPTIONS, "/p", [("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT")]))
        try channel.send(request(.GET, "/b", [("Origin", "https://evil.com")]))
        #expect(try channel.readRequestHead()?.uri == "/a")
        #expect(try channel.readRequestHead()?.uri == "/b")
        #expect(try channel.readRequestHead() == nil)
        // The preflight's answer waits for the response to /a.
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)

        try channel.answer(response(.ok))
        let first = try #require(try channel.readResponseHead())
        #expect(first.status == .ok)
        #expect(first.headers["Access-Control-Allow-Origin"] == ["https://a.com"])
        let second = try #require(try channel.readResponseHead())
        #expect(second.status == .noContent)
        #expect(second.headers["Access-Control-Allow-Methods"] == ["PUT"])
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == .end(nil))

        try channel.answer(response(.created))
        let third = try #require(try channel.readResponseHead())
        #expect(third.status == .created)
        #expect(third.headers["Access-Control-Allow-Origin"].isEmpty)
        #expect(third.headers["Vary"] == ["Origin"])
    }

    @Test func bodyOfAnAnsweredPreflightIsDropped() throws {
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(
            HTTPServerRequestPart.head(
                request(.OPTIONS, "/p", [("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT")])))
        try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "ignored")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.send(request(.GET, "/next", []))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .head(request(.GET, "/next", [])))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
    }

    @Test func informationalHeadsPassUntouched() throws {
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy))
        defer { _ = try? channel.finish() }
        try channel.send(request(.PUT, "/x", [("Origin", "https://a.com"), ("Expect", "100-continue")]))
        try channel.writeOutbound(HTTPServerResponsePart.head(response(.continue)))
        try channel.answer(response(.ok))
        let interim = try #require(try channel.readResponseHead())
        #expect(interim.status == .continue)
        #expect(interim.headers["Access-Control-Allow-Origin"].isEmpty)
        let final = try #require(try channel.readResponseHead())
        #expect(final.headers["Access-Control-Allow-Origin"] == ["https://a.com"])
    }

    @Test func connectionCloseRequestClosesAfterOurAnswer() throws {
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy))
        try channel.send(
            request(
                .OPTIONS, "/p",
                [("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT"), ("Connection", "close")]))
        let head = try #require(try channel.readResponseHead())
        #expect(head.status == .forbidden)
        #expect(head.headers["Connection"] == ["close"])
        #expect(!channel.isActive)
    }

    @Test func originPredicateSuspendsInputUntilItAnswers() async throws {
        let policy = try CORSPolicy(
            CORSConfiguration(originPredicate: { origin in
                try? await Task.sleep(for: .milliseconds(20))
                return origin.hasSuffix(".trusted.test")
            }))
        let channel = NIOAsyncTestingChannel()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(CORSNIOChannelHandler(policy))
        }.get()
        try await channel.writeInbound(
            HTTPServerRequestPart.head(request(.GET, "/a", [("Origin", "https://x.trusted.test")])))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        // Pipelined behind it: held until the predicate answers, then delivered in order.
        try await channel.writeInbound(HTTPServerRequestPart.head(request(.GET, "/b", [])))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))

        var uris: [String] = []
        while uris.count < 2 {
            let part = try await channel.waitForInboundWrite(as: HTTPServerRequestPart.self)
            if case .head(let head) = part { uris.append(head.uri) }
        }
        #expect(uris == ["/a", "/b"])
        try await channel.writeOutbound(HTTPServerResponsePart.head(response(.ok)))
        try await channel.writeOutbound(HTTPServerResponsePart.end(nil))
        let first = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        guard case .head(let head) = first else {
            Issue.record("expected a head, got \(first)")
            return
        }
        #expect(head.headers["Access-Control-Allow-Origin"] == ["https://x.trusted.test"])
        _ = try await channel.finish()
    }
}

@Suite struct WebSocketNullOriginTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var origins: [String]
        var allowNullOrigin: Bool
        var origin: String
        var upgraded: Bool
        var testDescription: String {
            "\(origins) allowNull=\(allowNullOrigin) \(origin) → \(upgraded ? "goes on" : "403")"
        }
    }

    static let cases = [
        // `*` answers fetches from `null` with a static `*`; a socket needs the explicit opt-in.
        Case(origins: ["*"], allowNullOrigin: false, origin: "null", upgraded: false),
        Case(origins: ["*"], allowNullOrigin: true, origin: "null", upgraded: true),
        Case(origins: ["*"], allowNullOrigin: false, origin: "https://any.test", upgraded: true),
        Case(origins: ["https://a.com"], allowNullOrigin: true, origin: "null", upgraded: true),
        Case(origins: ["https://a.com"], allowNullOrigin: false, origin: "https://a.com.evil.test", upgraded: false),
    ]

    @Test(arguments: cases)
    func upgrade(_ testCase: Case) throws {
        let policy = try CORSPolicy(
            CORSConfiguration(origins: testCase.origins, allowNullOrigin: testCase.allowNullOrigin))
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(policy))
        defer { _ = try? channel.finish() }
        try channel.send(request(.GET, "/ws", webSocketHeaders(origin: testCase.origin)))
        if testCase.upgraded {
            #expect(try channel.readRequestHead()?.uri == "/ws")
        } else {
            #expect(try channel.readRequestHead() == nil)
            #expect(try channel.readResponseHead()?.status == .forbidden)
        }
    }
}
