import CORS
import CORSVapor
import Testing
import Vapor
import VaporTesting

/// The docs/PEERS.md example policy: origin https://a.com, credentials, methods PUT and PURGE, request
/// header Authorization, max-age 30, expose X-Foo.
let peersPolicy = try! CORSPolicy(
    CORSConfiguration(
        origins: ["https://a.com"], methods: ["PUT", "PURGE"], allowedHeaders: ["Authorization"],
        exposedHeaders: ["X-Foo"], credentials: true, maxAge: 30))

struct Exchange: Sendable, CustomTestStringConvertible {
    var name: String
    var method: HTTPMethod = .GET
    var path = "/x"
    var headers: [(String, String)] = []
    var status: UInt
    /// Expected fields; nil means absent.
    var fields: [String: String?]
    var handlerCalled: Bool? = nil

    var testDescription: String { name }
}

let exchanges: [Exchange] = [
    Exchange(
        name: "no Origin: Vary only", status: 200,
        fields: ["Vary": "Origin", "Access-Control-Allow-Origin": nil], handlerCalled: true),
    Exchange(
        name: "allowed origin, actual request", headers: [("Origin", "https://a.com")], status: 200,
        fields: [
            "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Credentials": "true",
            "Access-Control-Expose-Headers": "X-Foo", "Vary": "Origin", "Access-Control-Allow-Methods": nil,
            "Access-Control-Max-Age": nil,
        ]),
    Exchange(
        name: "refused origin still reaches the handler", headers: [("Origin", "https://evil.com")], status: 200,
        fields: ["Access-Control-Allow-Origin": nil, "Vary": "Origin"], handlerCalled: true),
    Exchange(
        name: "handler's Vary kept, its Access-Control-* replaced", path: "/vary",
        headers: [("Origin", "https://a.com")], status: 200,
        fields: ["Vary": "Accept-Encoding, Origin", "Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "OPTIONS without ACRM is not a preflight", method: .OPTIONS, headers: [("Origin", "https://a.com")],
        status: 200, fields: ["Access-Control-Allow-Origin": "https://a.com"], handlerCalled: true),
    Exchange(
        name: "preflight for PURGE", method: .OPTIONS,
        headers: [("Origin", "https://a.com"), ("Access-Control-Request-Method", "PURGE")], status: 204,
        fields: [
            "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "PURGE", "Access-Control-Max-Age": "30",
            "Access-Control-Expose-Headers": nil,
        ], handlerCalled: false),
    Exchange(
        name: "preflight with an allowed header", method: .OPTIONS,
        headers: [
            ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", ",,Authorization,,"),
        ], status: 204, fields: ["Access-Control-Allow-Headers": "authorization"]),
    Exchange(
        name: "preflight from a refused origin", method: .OPTIONS,
        headers: [("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT")], status: 403,
        fields: ["Access-Control-Allow-Origin": nil, "Access-Control-Allow-Methods": nil], handlerCalled: false),
    Exchange(
        name: "preflight for a refused header", method: .OPTIONS,
        headers: [
            ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-secret"),
        ], status: 403, fields: ["Access-Control-Allow-Origin": nil]),
    Exchange(
        name: "Abort(.notFound) keeps its CORS headers", path: "/missing", headers: [("Origin", "https://a.com")],
        status: 404,
        fields: [
            "Access-Control-Allow-Origin": "https://a.com", "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        ]),
    Exchange(
        name: "a thrown non-Abort error keeps its CORS headers", path: "/crash", headers: [("Origin", "https://a.com")],
        status: 500, fields: ["Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "Abort's own headers are kept", path: "/teapot", headers: [("Origin", "https://a.com")], status: 418,
        fields: ["X-Why": "short and stout", "Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "unrouted path: 404 with CORS headers", path: "/nowhere", headers: [("Origin", "https://a.com")],
        status: 404, fields: ["Access-Control-Allow-Origin": "https://a.com"]),
    Exchange(
        name: "WebSocket upgrade from a refused origin: 403", path: "/ws",
        headers: [
            ("Origin", "https://evil.com"), ("Connection", "Upgrade"), ("Upgrade", "websocket"),
            ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ], status: 403, fields: ["Access-Control-Allow-Origin": nil], handlerCalled: false),
]

/// Where the CORS middleware goes relative to Vapor's `ErrorMiddleware`.
enum Placement: String, CaseIterable, Sendable {
    /// `app.middleware.use(cors, at: .beginning)`: the recommended placement.
    case outermost
    /// `app.middleware.use(cors)` after the default `ErrorMiddleware`.
    case insideErrorMiddleware
}

final class CallCounter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}

struct Teapot: AbortError {
    var status: HTTPResponseStatus { .custom(code: 418, reasonPhrase: "I'm a teapot") }
    var reason: String { "teapot" }
    var headers: HTTPHeaders { ["X-Why": "short and stout"] }
}

struct Crash: Error {}

func configure(_ app: Application, placement: Placement, calls: CallCounter) {
    app.logger.logLevel = .critical
    app.middleware = Middlewares()
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    switch placement {
    case .outermost: app.middleware.use(CORSVaporMiddleware(peersPolicy), at: .beginning)
    case .insideErrorMiddleware: app.middleware.use(CORSVaporMiddleware(peersPolicy))
    }
    let handler: @Sendable (Request) async throws -> Response = { _ in
        calls.increment()
        return Response(status: .ok, body: "ok")
    }
    app.get("x", use: handler)
    app.on(.OPTIONS, "x", use: handler)
    app.get("vary") { _ in
        Response(status: .ok, headers: ["Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "https://bogus"])
    }
    app.get("missing") { _ -> Response in throw Abort(.notFound) }
    app.get("crash") { _ -> Response in throw Crash() }
    app.get("teapot") { _ -> Response in throw Teapot() }
    app.webSocket("ws") { _, _ in calls.increment() }
}

@Suite struct CORSVaporMiddlewareTests {
    @Test(arguments: Placement.allCases, exchanges)
    func behaviour(placement: Placement, exchange: Exchange) async throws {
        try await withApp { app in
            let calls = CallCounter()
            configure(app, placement: placement, calls: calls)
            let response = try await app.testing().sendRequest(
                exchange.method, exchange.path, headers: HTTPHeaders(exchange.headers))
            #expect(response.status.code == exchange.status)
            for (name, expected) in exchange.fields {
                let values = response.headers[name]
                if let expected {
                    #expect(values == [expected], "\(name)")
                } else {
                    #expect(values.isEmpty, "\(name) should be absent")
                }
            }
            if let handlerCalled = exchange.handlerCalled {
                #expect((calls.count > 0) == handlerCalled)
            }
        }
    }

    @Test func routeGroupAppliesOnlyInsideTheGroup() async throws {
        try await withApp { app in
            app.logger.logLevel = .critical
            app.middleware = Middlewares()
            app.middleware.use(ErrorMiddleware.default(environment: app.environment))
            let api = app.grouped("api").grouped(cors: CORSVaporMiddleware(peersPolicy))
            api.get("items") { _ in "items" }
            api.get("missing") { _ -> String in throw Abort(.notFound) }
            app.get("plain") { _ in "plain" }
            let tester = try app.testing()
            let origin: HTTPHeaders = ["Origin": "https://a.com"]

            let inside = try await tester.sendRequest(.GET, "/api/items", headers: origin)
            #expect(inside.headers["Access-Control-Allow-Origin"] == ["https://a.com"])

            let error = try await tester.sendRequest(.GET, "/api/missing", headers: origin)
            #expect(error.status == .notFound)
            #expect(error.headers["Access-Control-Allow-Origin"] == ["https://a.com"])

            let preflight = try await tester.sendRequest(
                .OPTIONS, "/api/items", headers: ["Origin": "https://a.com", "Access-Control-Request-Method": "PUT"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers["Access-Control-Allow-Methods"] == ["PUT"])

            let outside = try await tester.sendRequest(.GET, "/plain", headers: origin)
            #expect(outside.status == .ok)
            #expect(outside.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }

    @Test func originPredicateIsAwaited() async throws {
        let policy = try CORSPolicy(
            CORSConfiguration(originPredicate: { origin in origin.hasSuffix(".trusted.test") }))
        try await withApp { app in
            app.logger.logLevel = .critical
            app.middleware = Middlewares()
            app.middleware.use(CORSVaporMiddleware(policy), at: .beginning)
            app.get("x") { _ in "ok" }
            let tester = try app.testing()
            let allowed = try await tester.sendRequest(.GET, "/x", headers: ["Origin": "https://a.trusted.test"])
            #expect(allowed.headers["Access-Control-Allow-Origin"] == ["https://a.trusted.test"])
            let refused = try await tester.sendRequest(.GET, "/x", headers: ["Origin": "https://b.other.test"])
            #expect(refused.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }

    /// A predicate may hit a database: a WebSocket upgrade asks it once, not once for the upgrade
    /// and again for the response's headers.
    @Test(arguments: [("https://a.trusted.test", true), ("https://b.other.test", false)])
    func aWebSocketUpgradeAsksThePredicateOnce(origin: String, allowed: Bool) async throws {
        let asked = CallCounter()
        let policy = try CORSPolicy(
            CORSConfiguration(originPredicate: { origin in
                asked.increment()
                return origin.hasSuffix(".trusted.test")
            }))
        try await withApp { app in
            app.logger.logLevel = .critical
            app.middleware = Middlewares()
            app.middleware.use(CORSVaporMiddleware(policy), at: .beginning)
            let upgraded = CallCounter()
            app.webSocket("ws") { _, _ in upgraded.increment() }
            let response = try await app.testing().sendRequest(
                .GET, "/ws",
                headers: [
                    "Origin": origin, "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                ])
            #expect(asked.count == 1)
            #expect(response.status == (allowed ? .switchingProtocols : .forbidden))
        }
    }
}
