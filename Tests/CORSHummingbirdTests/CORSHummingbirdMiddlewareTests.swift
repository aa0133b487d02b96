import CORS
import CORSHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

struct ThrownForTest: Error {}

@Suite struct CORSPolicyMiddlewareTests {
    static let configuration = CORSConfiguration(
        origins: ["https://a.com"], methods: ["PUT", "PURGE"], allowedHeaders: ["Authorization"],
        exposedHeaders: ["X-Foo"], credentials: true, maxAge: 30)

    static func makeRouter() throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: try CORSHummingbirdMiddleware(configuration))
        router.get("ok") { _, _ in "hello" }
        router.get("not-found") { _, _ -> String in throw HTTPError(.notFound) }
        router.get("crash") { _, _ -> String in throw ThrownForTest() }
        router.get("server-error") { _, _ in Response(status: .internalServerError) }
        router.get("own-cors") { _, _ in
            Response(status: .ok, headers: [.accessControlAllowOrigin: "*", .vary: "Accept-Encoding"])
        }
        router.on("ok", method: .options) { _, _ in "handler options" }
        return router
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var method: HTTPRequest.Method
        var headers: HTTPFields
        var status: HTTPResponse.Status
        var allowOrigin: String?
        var vary: String?
        var body: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "allowed GET", path: "/ok", method: .get, headers: [.origin: "https://a.com"], status: .ok,
            allowOrigin: "https://a.com", vary: "Origin", body: "hello"),
        Case(
            name: "no Origin", path: "/ok", method: .get, headers: [:], status: .ok, allowOrigin: nil, vary: "Origin",
            body: "hello"),
        Case(
            name: "refused origin still reaches the handler", path: "/ok", method: .get,
            headers: [.origin: "https://evil.com"], status: .ok, allowOrigin: nil, vary: "Origin", body: "hello"),
        Case(
            name: "thrown HTTPError keeps CORS headers", path: "/not-found", method: .get,
            headers: [.origin: "https://a.com"], status: .notFound, allowOrigin: "https://a.com", vary: "Origin"),
        Case(
            name: "thrown other error keeps CORS headers", path: "/crash", method: .get,
            headers: [.origin: "https://a.com"], status: .internalServerError, allowOrigin: "https://a.com",
            vary: "Origin"),
        Case(
            name: "5xx response keeps CORS headers", path: "/server-error", method: .get,
            headers: [.origin: "https://a.com"], status: .internalServerError, allowOrigin: "https://a.com",
            vary: "Origin"),
        Case(
            name: "unknown route 404 keeps CORS headers", path: "/nowhere", method: .get,
            headers: [.origin: "https://a.com"], status: .notFound, allowOrigin: "https://a.com", vary: "Origin"),
        Case(
            name: "handler's own ACAO replaced, Vary appended", path: "/own-cors", method: .get,
            headers: [.origin: "https://a.com"], status: .ok, allowOrigin: "https://a.com",
            vary: "Accept-Encoding, Origin"),
        Case(
            name: "handler's own ACAO removed for refused origin", path: "/own-cors", method: .get,
            headers: [.origin: "https://evil.com"], status: .ok, allowOrigin: nil, vary: "Accept-Encoding, Origin"),
        Case(
            name: "preflight answered without the handler", path: "/ok", method: .options,
            headers: [.origin: "https://a.com", .accessControlRequestMethod: "PURGE"], status: .noContent,
            allowOrigin: "https://a.com",
            vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", body: ""),
        Case(
            name: "refused preflight is 403", path: "/ok", method: .options,
            headers: [.origin: "https://a.com", .accessControlRequestMethod: "DELETE"], status: .forbidden,
            allowOrigin: nil, vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            body: ""),
        Case(
            name: "OPTIONS without ACRM reaches the handler", path: "/ok", method: .options,
            headers: [.origin: "https://a.com"], status: .ok, allowOrigin: "https://a.com",
            vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers", body: "handler options"),
    ]

    @Test(arguments: cases)
    func behaviour(_ testCase: Case) async throws {
        let app = Application(router: try Self.makeRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: testCase.path, method: testCase.method, headers: testCase.headers) {
                response in
                #expect(response.status == testCase.status)
                #expect(response.headers[values: .accessControlAllowOrigin].count <= 1)
                #expect(response.headers[.accessControlAllowOrigin] == testCase.allowOrigin)
                #expect(response.headers[.vary] == testCase.vary)
                if testCase.allowOrigin != nil {
                    #expect(response.headers[.accessControlAllowCredentials] == "true")
                }
                if let body = testCase.body {
                    #expect(String(buffer: response.body) == body)
                }
            }
        }
    }

    @Test func preflightCarriesTheAllowedLists() async throws {
        let app = Application(router: try Self.makeRouter())
        try await app.test(.router) { client in
            let headers: HTTPFields = [
                .origin: "https://a.com", .accessControlRequestMethod: "PUT",
                .accessControlRequestHeaders: "authorization",
            ]
            try await client.execute(uri: "/ok", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowMethods] == "PUT")
                #expect(response.headers[.accessControlAllowHeaders] == "authorization")
                #expect(response.headers[.accessControlMaxAge] == "30")
                #expect(response.headers[.accessControlExposeHeaders] == nil)
                #expect(response.headers[.contentLength] == "0")
            }
        }
    }

    @Test func actualResponseExposesHeadersButNoPreflightFields() async throws {
        let app = Application(router: try Self.makeRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/ok", method: .get, headers: [.origin: "https://a.com"]) { response in
                #expect(response.headers[.accessControlExposeHeaders] == "X-Foo")
                #expect(response.headers[.accessControlAllowMethods] == nil)
                #expect(response.headers[.accessControlAllowHeaders] == nil)
                #expect(response.headers[.accessControlMaxAge] == nil)
            }
        }
    }

    @Test func routeGroupAppliesOnlyToItsRoutes() async throws {
        let router = Router()
        router.group("api")
            .add(middleware: try CORSHummingbirdMiddleware(CORSConfiguration(origins: ["https://a.com"])))
            .get("items") { _, _ in "items" }
            .on("items", method: .options) { _, _ in "" }
        router.get("other") { _, _ in "other" }
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/items", method: .get, headers: [.origin: "https://a.com"]) {
                #expect($0.headers[.accessControlAllowOrigin] == "https://a.com")
            }
            try await client.execute(
                uri: "/api/items", method: .options,
                headers: [.origin: "https://a.com", .accessControlRequestMethod: "PUT"]
            ) {
                #expect($0.status == .noContent)
                #expect($0.headers[.accessControlAllowOrigin] == "https://a.com")
            }
            try await client.execute(uri: "/other", method: .get, headers: [.origin: "https://a.com"]) {
                #expect($0.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func originPredicateIsConsulted() async throws {
        let router = Router()
        router.add(
            middleware: try CORSHummingbirdMiddleware(
                CORSConfiguration(originPredicate: { origin in origin.hasSuffix(".trusted.test") })))
        router.get("x") { _, _ in "x" }
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/x", method: .get, headers: [.origin: "https://a.trusted.test"]) {
                #expect($0.headers[.accessControlAllowOrigin] == "https://a.trusted.test")
            }
            try await client.execute(uri: "/x", method: .get, headers: [.origin: "https://a.untrusted.test"]) {
                #expect($0.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func liveServerKeepsHeadersOnErrors() async throws {
        let app = Application(router: try Self.makeRouter())
        try await app.test(.live) { client in
            try await client.execute(uri: "/not-found", method: .get, headers: [.origin: "https://a.com"]) {
                #expect($0.status == .notFound)
                #expect($0.headers[.accessControlAllowOrigin] == "https://a.com")
            }
        }
    }
}
