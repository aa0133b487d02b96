import CORS
import HTTPTypes
import Testing

private let anyOrigin = CORSConfiguration(origins: ["*"], exposedHeaders: ["X-Foo"])
private let allowedGET = [origin("https://a.com")]
private let allowedActual = Expected.forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin)

/// The handler (or an upstream) answers with `handler`; the policy edits the response.
@Suite struct ResponseEditingTests {
    static let table: [BehaviourCase] = [
        BehaviourCase(
            "handler's ACAO replaced, not doubled", example, allowedGET,
            handler: [Header("Access-Control-Allow-Origin", "*")], allowedActual),
        BehaviourCase(
            "handler's lowercase access-control-* names replaced", example, allowedGET,
            handler: [
                Header("access-control-allow-origin", "https://evil.example"),
                Header("access-control-allow-credentials", "false"),
            ], allowedActual),
        BehaviourCase(
            "handler's ACAM/ACAH/ACMA removed from an actual response", example, allowedGET,
            handler: [
                Header("Access-Control-Allow-Methods", "*"), Header("Access-Control-Allow-Headers", "*"),
                Header("Access-Control-Max-Age", "86400"),
            ], allowedActual),
        BehaviourCase(
            "handler's ACEH replaced by the policy's", example, allowedGET,
            handler: [Header("Access-Control-Expose-Headers", "Set-Cookie, X-Secret")], allowedActual),
        BehaviourCase(
            "handler's unknown Access-Control-* field removed", example, allowedGET,
            handler: [Header("Access-Control-Allow-Everything", "yes")], allowedActual),
        BehaviourCase(
            "handler's CORS fields stripped for a refused origin", example, [origin("https://evil.example")],
            handler: [Header("Access-Control-Allow-Origin", "https://evil.example"), Header("X-Keep", "1")],
            .forwarded(vary: varyOrigin, rejection: .originNotAllowed, others: [Header("X-Keep", "1")])),
        BehaviourCase(
            "handler's CORS fields stripped without Origin", example, [],
            handler: [Header("Access-Control-Allow-Origin", "*")], .forwarded(vary: varyOrigin)),
        BehaviourCase(
            "other handler fields kept", example, allowedGET,
            handler: [
                Header("Content-Type", "application/json"), Header("Set-Cookie", "a=b"), Header("ETag", "\"1\""),
            ],
            .forwarded(
                acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin,
                others: [
                    Header("Content-Type", "application/json"), Header("Set-Cookie", "a=b"), Header("ETag", "\"1\""),
                ])),
        BehaviourCase(
            "existing Vary kept, Origin appended", example, allowedGET, handler: [vary("Accept-Encoding")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "Accept-Encoding, Origin")),
        BehaviourCase(
            "several Vary lines kept, Origin appended", example, allowedGET,
            handler: [vary("Accept-Encoding"), vary("Accept-Language")],
            .forwarded(
                acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "Accept-Encoding, Accept-Language, Origin")),
        BehaviourCase(
            "Vary already naming Origin is not repeated", example, allowedGET,
            handler: [vary("Accept-Encoding, origin")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "Accept-Encoding, origin")),
        BehaviourCase(
            "Vary: * left alone", example, allowedGET, handler: [vary("*")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "*")),
        BehaviourCase(
            "Vary: * left alone on OPTIONS", example, "OPTIONS", allowedGET, handler: [vary("*")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "*")),
        BehaviourCase(
            "Vary merged on OPTIONS that is not a preflight", example, "OPTIONS", allowedGET,
            handler: [vary("Origin")],
            .forwarded(
                acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "Origin, " + varyPreflight.dropFirst(8))),
        BehaviourCase(
            "Vary on a request without Origin", example, [], .forwarded(vary: varyOrigin)),
        BehaviourCase(
            "Vary on a rejected origin", example, [origin("https://evil.example")],
            .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        BehaviourCase(
            "Vary on a rejected origin merged with the handler's", example, [origin("https://evil.example")],
            handler: [vary("Cookie")], .forwarded(vary: "Cookie, Origin", rejection: .originNotAllowed)),
        BehaviourCase(
            "no Vary for a static *", anyOrigin, [origin("https://x.example")],
            .forwarded(acao: "*", aceh: "X-Foo", vary: nil)),
        // Fetch, "CORS protocol and HTTP caches": a cached plain response must still serve fetch().
        BehaviourCase(
            "static * on a request without Origin too, so caches can share it", anyOrigin, [],
            .forwarded(acao: "*", aceh: "X-Foo", vary: nil)),
        BehaviourCase(
            "static * on a HEAD without Origin", anyOrigin, "HEAD", [], .forwarded(acao: "*", aceh: "X-Foo", vary: nil)),
        BehaviourCase(
            "a * route gives ACAO: * without Origin; other routes Vary",
            CORSConfiguration(
                origins: ["https://a.com"], routes: [CORSRouteConfiguration(path: "/public/**", origins: ["*"])]),
            path: "/public/x", [], .forwarded(acao: "*", vary: nil)),
        BehaviourCase(
            "static * leaves the handler's Vary untouched", anyOrigin, [origin("https://x.example")],
            handler: [vary("Accept-Encoding")], .forwarded(acao: "*", aceh: "X-Foo", vary: "Accept-Encoding")),
        BehaviourCase(
            "ACEH on actual responses", example, "POST", allowedGET, allowedActual),
        BehaviourCase(
            "ACEH * without credentials", with(anyOrigin) { $0.exposedHeaders = ["*"] }, [origin("https://x.example")],
            .forwarded(acao: "*", aceh: "*", vary: nil)),
        BehaviourCase(
            "several exposed headers joined, duplicates dropped",
            with { $0.exposedHeaders = ["X-Foo", "X-Total-Count", "x-foo"] }, allowedGET,
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo,X-Total-Count", vary: varyOrigin)),
        BehaviourCase(
            "no ACEH without exposed headers", with { $0.exposedHeaders = [] }, allowedGET,
            .forwarded(acao: "https://a.com", acac: "true", vary: varyOrigin)),
        BehaviourCase(
            "no ACAC without credentials", with { $0.credentials = false }, allowedGET,
            .forwarded(acao: "https://a.com", aceh: "X-Foo", vary: varyOrigin)),
    ]

    @Test(arguments: table)
    func edits(_ c: BehaviourCase) async throws {
        try await check(c)
    }

    @Test func immediateResponseCarriesTheStatusAndAnEmptyBody() async throws {
        let policy = try CORSPolicy(example)
        let decision = await policy.decide(
            method: .options, path: "/",
            headerFields: [.origin: "https://a.com", .accessControlRequestMethod: "PURGE"])
        let response = try #require(decision.immediateResponse)
        #expect(response.status == .noContent)
        #expect(response.headerFields == decision.immediateResponseFields)
        // No Content-Length on a 204 (RFC 9110 §8.6); a 200 success status says it is empty.
        #expect(response.headerFields[.contentLength] == nil)
        let twoHundred = try CORSPolicy(CORSConfiguration(origins: ["https://a.com"], optionsSuccessStatus: 200))
        let ok = await twoHundred.decide(
            method: .options, path: "/", headerFields: [.origin: "https://a.com", .accessControlRequestMethod: "PUT"])
        #expect(ok.immediateResponse?.status == .ok)
        #expect(ok.immediateResponse?.headerFields[.contentLength] == "0")
    }

    @Test func actualRequestsHaveNoImmediateResponse() async throws {
        let policy = try CORSPolicy(example)
        let decision = await policy.decide(HTTPRequest(method: .get, scheme: "https", authority: "api", path: "/x"))
        #expect(decision.immediateStatus == nil && decision.immediateResponse == nil)
        #expect(decision.kind == .notCORS)
    }

    @Test func applyingTwiceChangesNothing() async throws {
        let policy = try CORSPolicy(example)
        let decision = await policy.decide(method: .get, path: "/", headerFields: [.origin: "https://a.com"])
        var once = HTTPFields([HTTPField(name: .vary, value: "Accept")])
        decision.apply(to: &once)
        var twice = once
        decision.apply(to: &twice)
        #expect(once == twice)
    }
}
