import CORS
import Testing

/// docs/PEERS.md "Behaviour every top middleware shows", §1–20, with its example policy: origin
/// `https://a.com`, credentials, methods PUT and PURGE, header Authorization, max-age 30, expose X-Foo.
@Suite struct PeersBehaviourTests {
    static let anyOrigin = CORSConfiguration(origins: ["*"], methods: ["PUT", "PURGE"], exposedHeaders: ["X-Foo"])

    static let table: [BehaviourCase] = [
        // §1
        BehaviourCase(
            "§1 no Origin: handler response plus Vary: Origin", example, [],
            handler: [Header("Content-Type", "text/plain")],
            .forwarded(vary: varyOrigin, others: [Header("Content-Type", "text/plain")])),
        BehaviourCase(
            "§1 no Origin on a POST", example, "POST", [], .forwarded(vary: varyOrigin)),
        // §2
        BehaviourCase(
            "§2 allowed origin, actual GET", example, [origin("https://a.com")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin)),
        BehaviourCase(
            "§2 allowed origin, actual PUT (no ACAM/ACAH/ACMA on actual responses)", example, "PUT",
            [origin("https://a.com"), Header("Authorization", "Bearer x")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin)),
        // §3
        BehaviourCase(
            "§3 disallowed origin: handler runs, only Vary", example, [origin("https://evil.example")],
            handler: [Header("X-Handler", "ran")],
            .forwarded(vary: varyOrigin, rejection: .originNotAllowed, others: [Header("X-Handler", "ran")])),
        BehaviourCase(
            "§3 malformed origin: handler runs, only Vary", example, [origin("not an origin")],
            .forwarded(vary: varyOrigin, rejection: .malformedOrigin)),
        BehaviourCase(
            "§3 empty origin: handler runs, only Vary", example, [origin("")],
            .forwarded(vary: varyOrigin, rejection: .malformedOrigin)),
        BehaviourCase(
            "§3 two Origin fields are refused", example, [origin("https://a.com"), origin("https://a.com")],
            .forwarded(vary: varyOrigin, rejection: .multipleOriginHeaders)),
        // §4
        BehaviourCase(
            "§4 handler's Vary kept, Origin appended", example, [origin("https://a.com")],
            handler: [vary("Accept-Encoding")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: "Accept-Encoding, Origin")),
        BehaviourCase(
            "§4 handler's Vary kept on a request without Origin", example, [], handler: [vary("Accept-Language")],
            .forwarded(vary: "Accept-Language, Origin")),
        // §5
        BehaviourCase(
            "§5 OPTIONS with Origin but no ACRM reaches the handler", example, "OPTIONS",
            [origin("https://a.com")], handler: [Header("Allow", "GET, PUT")],
            .forwarded(
                acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyPreflight,
                others: [Header("Allow", "GET, PUT")])),
        BehaviourCase(
            "§5 OPTIONS with ACRH but no ACRM is not a preflight", example, "OPTIONS",
            [origin("https://a.com"), acrh("authorization")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyPreflight)),
        // §6
        BehaviourCase(
            "§6 preflight for PURGE: 204, ACAM PURGE, ACMA 30, no ACEH", example, "OPTIONS",
            [origin("https://a.com"), acrm("PURGE")],
            .answered(204, acao: "https://a.com", acac: "true", acam: "PURGE", acma: "30", vary: varyPreflight)),
        BehaviourCase(
            "§6 preflight for PUT with Authorization", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh("authorization")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        // §7
        BehaviourCase(
            "§7 preflight for safelisted GET succeeds", example, "OPTIONS",
            [origin("https://a.com"), acrm("GET")],
            .answered(204, acao: "https://a.com", acac: "true", acam: "GET", acma: "30", vary: varyPreflight)),
        BehaviourCase(
            "§7 preflight for safelisted POST with Authorization succeeds", example, "OPTIONS",
            [origin("https://a.com"), acrm("POST"), acrh("authorization")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "POST", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        // §8
        BehaviourCase(
            "§8 preflight for a method not allowed: 403", example, "OPTIONS",
            [origin("https://a.com"), acrm("DELETE")], .refusedPreflight(.methodNotAllowed)),
        BehaviourCase(
            "§8 preflight for a header not allowed: 403", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh("x-custom")], .refusedPreflight(.headerNotAllowed)),
        BehaviourCase(
            "§8 preflight from a disallowed origin: 403", example, "OPTIONS",
            [origin("https://evil.example"), acrm("PUT")], .refusedPreflight(.originNotAllowed)),
        // §9
        BehaviourCase(
            "§9 ACRH with empty items", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh(",,authorization,,")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        BehaviourCase(
            "§9 ACRH mixed case and whitespace", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh(" AuThOrIzAtIoN\t")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        BehaviourCase(
            "§9 ACRH split over several lines", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh(""), acrh("authorization"), acrh(",")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        BehaviourCase(
            "§9 ACRH with 1024 commas rejected", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh(String(repeating: ",", count: 1024))],
            .refusedPreflight(.tooManyEmptyRequestHeaderItems)),
        BehaviourCase(
            "§9 absurdly long ACRH rejected", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh(String(repeating: "a", count: 5000))],
            .refusedPreflight(.requestHeadersTooLong)),
        // §10
        BehaviourCase(
            "§10 headers * without credentials: ACAH *", with(anyOrigin) { $0.allowedHeaders = ["*"] }, "OPTIONS",
            [origin("https://x.example"), acrm("PUT"), acrh("x-custom")],
            .answered(204, acao: "*", acam: "PUT", acah: "*", vary: varyPreflight)),
        BehaviourCase(
            "§10 headers * plus Authorization: ACAH *,authorization",
            with(anyOrigin) { $0.allowedHeaders = ["*", "Authorization"] }, "OPTIONS",
            [origin("https://x.example"), acrm("PUT"), acrh("authorization,x-custom")],
            .answered(204, acao: "*", acam: "PUT", acah: "*,authorization", vary: varyPreflight)),
        // §11
        BehaviourCase(
            "§11 methods * without credentials: ACAM *", with(anyOrigin) { $0.methods = ["*"] }, "OPTIONS",
            [origin("https://x.example"), acrm("FROB")],
            .answered(204, acao: "*", acam: "*", vary: varyPreflight)),
        BehaviourCase(
            "§11 methods listed with credentials: the requested method is echoed", example, "OPTIONS",
            [origin("https://a.com"), acrm("PUT")],
            .answered(204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", vary: varyPreflight)),
        // §13
        BehaviourCase(
            "§13 pattern allows a subdomain", CORSConfiguration(origins: ["http://*.example.com:*"]),
            [origin("http://foo.example.com")], .forwarded(acao: "http://foo.example.com", vary: varyOrigin)),
        BehaviourCase(
            "§13 pattern allows a deeper subdomain with a port", CORSConfiguration(origins: ["http://*.example.com:*"]),
            [origin("http://bar.foo.example.com:8080")],
            .forwarded(acao: "http://bar.foo.example.com:8080", vary: varyOrigin)),
        BehaviourCase(
            "§13 pattern does not allow the apex", CORSConfiguration(origins: ["http://*.example.com:*"]),
            [origin("http://example.com")], .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        // §14
        BehaviourCase(
            "§14 foo+bar deny barfoo", CORSConfiguration(origins: ["https://foo.com", "https://bar.com"]),
            [origin("https://barfoo.com")], .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        BehaviourCase(
            "§14 foo+bar deny foobar", CORSConfiguration(origins: ["https://foo.com", "https://bar.com"]),
            [origin("https://foobar.com")], .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        // §15
        BehaviourCase(
            "§15 unanchored regex is matched whole", CORSConfiguration(origins: [#"regex:example\.com"#]),
            [origin("https://example.com.evil.net")], .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        // §16
        BehaviourCase(
            "§16 null under * gets a static *, not a reflection", anyOrigin, [origin("null")],
            .forwarded(acao: "*", aceh: "X-Foo", vary: nil)),
        BehaviourCase(
            "§16 null refused without opt-in", example, [origin("null")],
            .forwarded(vary: varyOrigin, rejection: .nullOriginNotAllowed)),
        BehaviourCase(
            "§16 null allowed with opt-in", with { $0.allowNullOrigin = true }, [origin("null")],
            .forwarded(acao: "null", acac: "true", aceh: "X-Foo", vary: varyOrigin)),
        // §17
        BehaviourCase(
            "§17 PNA enabled: ACAPN true", with { $0.privateNetwork = true }, "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrpn()],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", acapn: "true",
                vary: varyPreflightPNA)),
        BehaviourCase(
            "§17 PNA disabled: no ACAPN", example, "OPTIONS", [origin("https://a.com"), acrm("PUT"), acrpn()],
            .answered(204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", vary: varyPreflight)),
        // §18
        BehaviourCase(
            "§18 an error response keeps its CORS headers", example, "PUT", path: "/missing",
            [origin("https://a.com")],
            handler: [Header("Content-Type", "application/problem+json"), Header("Content-Length", "42")],
            .forwarded(
                acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin,
                others: [Header("Content-Type", "application/problem+json"), Header("Content-Length", "42")])),
        // §19
        BehaviourCase(
            "§19 preflight passthrough: handler answers with CORS headers", with { $0.preflightContinue = true },
            "OPTIONS", [origin("https://a.com"), acrm("PURGE")], handler: [Header("X-Handler", "ran")],
            .forwarded(
                acao: "https://a.com", acac: "true", acam: "PURGE", acma: "30", vary: varyPreflight,
                others: [Header("X-Handler", "ran")])),
        BehaviourCase(
            "§19 success status 200 for old clients", with { $0.optionsSuccessStatus = 200 }, "OPTIONS",
            [origin("https://a.com"), acrm("PURGE")],
            .answered(200, acao: "https://a.com", acac: "true", acam: "PURGE", acma: "30", vary: varyPreflight)),
        // §20
        BehaviourCase(
            "§20 ACAO is one value even when the handler set a list", example, [origin("https://a.com")],
            handler: [
                Header("Access-Control-Allow-Origin", "https://a.com, https://b.com"),
                Header("Access-Control-Allow-Origin", "*"),
            ],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin)),
    ]

    @Test(arguments: table)
    func behaviour(_ c: BehaviourCase) async throws {
        try await check(c)
    }

    @Test func examplePolicyHasNoWarnings() throws {
        let policy = try CORSPolicy(example)
        #expect(policy.warnings.isEmpty)
        #expect(CORSPolicy.validate(example).problems.isEmpty)
    }

    @Test func developmentPolicyIsValid() throws {
        let policy = try CORSPolicy(.development)
        #expect(policy.warnings.isEmpty)
    }
}
