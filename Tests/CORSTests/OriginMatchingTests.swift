import CORS
import HTTPTypes
import Testing

/// An actual GET from `value` against `config`: allowed (ACAO echoed) or refused for `reason`.
private func allows(_ name: String, _ config: CORSConfiguration, _ value: String) -> BehaviourCase {
    BehaviourCase(name, config, [origin(value)], .forwarded(acao: value, vary: varyOrigin))
}

private func refuses(
    _ name: String, _ config: CORSConfiguration, _ value: String, _ reason: CORSRejection.Reason = .originNotAllowed
) -> BehaviourCase {
    BehaviourCase(name, config, [origin(value)], .forwarded(vary: varyOrigin, rejection: reason))
}

private let exactA = CORSConfiguration(origins: ["https://a.com"])
private let fooBar = CORSConfiguration(origins: ["https://foo.com", "https://bar.com"])
private let subdomainsAnyPort = CORSConfiguration(origins: ["http://*.example.com:*"])
private let subdomains = CORSConfiguration(origins: ["https://*.example.com"])
private let subdomains8443 = CORSConfiguration(origins: ["https://*.example.com:8443"])
private let localhost = CORSConfiguration(origins: ["http://localhost:*"])
private let unanchored = CORSConfiguration(origins: [#"regex:https://app\.example\.com"#])
private let previews = CORSConfiguration(origins: [#"regex:^https://pr-[0-9]+\.example\.com$"#])
private let alternation = CORSConfiguration(origins: [#"regex:https://a\.com|https://b\.com"#])
private let ipv6 = CORSConfiguration(origins: ["http://[::1]:8080"])

/// The site of CORS-RULES.md "Security misconfigurations", as an exact origin and as a regex.
private let appExact = CORSConfiguration(origins: ["https://app.example.com"], credentials: true)
private let appRegex = CORSConfiguration(origins: [#"regex:^https://app\.example\.com$"#], credentials: true)

/// Probe origins built from `https://app.example.com`, with the reason each must be refused for.
private let probes: [(name: String, origin: String, reason: CORSRejection.Reason)] =
    [
        ("1 arbitrary origin", "https://evil.example", .originNotAllowed),
        ("2 null", "null", .nullOriginNotAllowed),
        ("3 prefix match", "https://app.example.com.evil.net", .originNotAllowed),
        ("3 prefix match (evil.example)", "https://app.example.com.evil.example", .originNotAllowed),
        ("4 suffix match", "https://evilapp.example.com", .originNotAllowed),
        ("5 unescaped dot", "https://appxexample.com", .originNotAllowed),
        ("5 unescaped second dot", "https://app.examplexcom", .originNotAllowed),
        ("6 substring", "https://pp.example.com", .originNotAllowed),
        ("8 any subdomain", "https://evil.app.example.com", .originNotAllowed),
        ("9 http downgrade", "http://app.example.com", .originNotAllowed),
        ("uppercase", "https://APP.EXAMPLE.COM", .malformedOrigin),
        ("trailing slash", "https://app.example.com/", .malformedOrigin),
        ("explicit default port", "https://app.example.com:443", .malformedOrigin),
        ("other port", "https://app.example.com:8443", .originNotAllowed),
        ("userinfo", "https://app.example.com@evil.example", .malformedOrigin),
        ("trailing dot", "https://app.example.com.", .malformedOrigin),
        ("two origins in one field", "https://app.example.com https://evil.example", .malformedOrigin),
        ("list in one field", "https://app.example.com, https://evil.example", .malformedOrigin),
    ]
    + ["_", "-"].map { ("7 special character \($0)", "https://app.example.com\($0).evil.example", .originNotAllowed) }
    + ["\"", "{", "}", "+", "^", "%60", "!", "~", ";", "|", "&", "'", "(", ")", "*", ",", "$", "="].map {
        ("7 special character \($0)", "https://app.example.com\($0).evil.example", .malformedOrigin)
    }

@Suite struct OriginMatchingTests {
    static let table: [BehaviourCase] = [
        // exact, byte for byte
        allows("exact match", exactA, "https://a.com"),
        refuses("uppercase is not the same origin", exactA, "HTTPS://A.COM", .malformedOrigin),
        refuses("uppercase host", exactA, "https://A.com", .malformedOrigin),
        refuses("trailing slash", exactA, "https://a.com/", .malformedOrigin),
        refuses("explicit :443", exactA, "https://a.com:443", .malformedOrigin),
        refuses("other scheme", exactA, "http://a.com", .originNotAllowed),
        refuses("other port", exactA, "https://a.com:8443", .originNotAllowed),
        refuses("subdomain", exactA, "https://www.a.com", .originNotAllowed),
        refuses("path", exactA, "https://a.com/x", .malformedOrigin),
        refuses("not a URL", exactA, "a.com", .malformedOrigin),
        refuses("control bytes", exactA, "https://a.com\u{1B}", .malformedOrigin),
        allows("foo+bar allows foo", fooBar, "https://foo.com"),
        allows("foo+bar allows bar", fooBar, "https://bar.com"),
        refuses("foo+bar denies barfoo", fooBar, "https://barfoo.com"),
        refuses("foo+bar denies foobar", fooBar, "https://foobar.com"),
        refuses("foo+bar denies foo.com.bar.com", fooBar, "https://foo.com.bar.com"),
        allows("IPv6 literal", ipv6, "http://[::1]:8080"),
        refuses("IPv6 literal, other port", ipv6, "http://[::1]:8081"),
        // patterns
        allows("*.example.com:* subdomain", subdomainsAnyPort, "http://foo.example.com"),
        allows("*.example.com:* deeper subdomain with port", subdomainsAnyPort, "http://bar.foo.example.com:8080"),
        refuses("*.example.com:* not the apex", subdomainsAnyPort, "http://example.com"),
        refuses("*.example.com:* not https", subdomainsAnyPort, "https://foo.example.com"),
        refuses("*.example.com:* not a glued suffix", subdomainsAnyPort, "http://fooexample.com"),
        refuses("*.example.com:* not a prefix", subdomainsAnyPort, "http://foo.example.com.evil.net"),
        refuses("*.example.com:* not the pattern itself", subdomainsAnyPort, "http://*.example.com", .malformedOrigin),
        refuses("*.example.com:* not an empty label", subdomainsAnyPort, "http://.example.com", .malformedOrigin),
        allows("*.example.com subdomain", subdomains, "https://a.example.com"),
        refuses("*.example.com refuses a port", subdomains, "https://a.example.com:8443"),
        refuses("*.example.com refuses the apex", subdomains, "https://example.com"),
        allows("*.example.com:8443 with its port", subdomains8443, "https://a.example.com:8443"),
        refuses("*.example.com:8443 other port", subdomains8443, "https://a.example.com:8444"),
        refuses("*.example.com:8443 no port", subdomains8443, "https://a.example.com"),
        allows("localhost:* without port", localhost, "http://localhost"),
        allows("localhost:* with a port", localhost, "http://localhost:3000"),
        allows("localhost:* highest port", localhost, "http://localhost:65535"),
        refuses("localhost:* not localhost.evil.com", localhost, "http://localhost.evil.com"),
        refuses("localhost:* not evillocalhost", localhost, "http://evillocalhost:3000"),
        refuses("localhost:* not a subdomain", localhost, "http://a.localhost:3000"),
        refuses("localhost:* not https", localhost, "https://localhost:3000"),
        refuses("localhost:* not 127.0.0.1", localhost, "http://127.0.0.1:3000"),
        refuses("localhost:* not port 0", localhost, "http://localhost:0", .malformedOrigin),
        refuses("localhost:* not a literal *", localhost, "http://localhost:*", .malformedOrigin),
        // regexes, always whole
        allows("unanchored regex matches the origin", unanchored, "https://app.example.com"),
        refuses("unanchored regex not as a prefix", unanchored, "https://app.example.com.evil.net"),
        refuses("unanchored regex not as a suffix", unanchored, "https://evil.https-app.example.com"),
        allows("preview regex", previews, "https://pr-42.example.com"),
        refuses("preview regex, letters", previews, "https://pr-x.example.com"),
        refuses("preview regex, prefix", previews, "https://pr-1.example.com.evil.net"),
        allows("alternation, first", alternation, "https://a.com"),
        allows("alternation, second", alternation, "https://b.com"),
        refuses("alternation is whole on both sides", alternation, "https://a.com.evil.net"),
        // null
        refuses("null refused by default", exactA, "null", .nullOriginNotAllowed),
        refuses("null refused by a pattern policy", localhost, "null", .nullOriginNotAllowed),
        refuses("null refused by a regex .*", CORSConfiguration(origins: ["regex:.*"]), "null", .nullOriginNotAllowed),
        allows("null with opt-in", with(exactA) { $0.allowNullOrigin = true }, "null"),
        allows("null listed with opt-in", CORSConfiguration(origins: ["null"], allowNullOrigin: true), "null"),
        BehaviourCase(
            "null under * gets a static *", CORSConfiguration(origins: ["*"]), [origin("null")],
            .forwarded(acao: "*", vary: nil)),
        BehaviourCase(
            "null under * with opt-in still gets *", CORSConfiguration(origins: ["*"], allowNullOrigin: true),
            [origin("null")], .forwarded(acao: "*", vary: nil)),
        BehaviourCase(
            "any origin gets a static * and no Vary", CORSConfiguration(origins: ["*"]),
            [origin("https://evil.example")], .forwarded(acao: "*", vary: nil)),
    ]

    @Test(arguments: table)
    func matching(_ c: BehaviourCase) async throws {
        try await check(c)
    }

    static let bypasses: [BehaviourCase] =
        probes.map { refuses("exact: \($0.name)", appExact, $0.origin, $0.reason) }
        + probes.map { refuses("regex: \($0.name)", appRegex, $0.origin, $0.reason) }
        + [
            BehaviourCase(
                "exact: the site itself", appExact, [origin("https://app.example.com")],
                .forwarded(acao: "https://app.example.com", acac: "true", vary: varyOrigin)),
            BehaviourCase(
                "regex: the site itself", appRegex, [origin("https://app.example.com")],
                .forwarded(acao: "https://app.example.com", acac: "true", vary: varyOrigin)),
        ]

    /// CORS-RULES.md "Security misconfigurations": no probe origin gets an ACAO.
    @Test(arguments: bypasses)
    func auditProbe(_ c: BehaviourCase) async throws {
        try await check(c)
    }
}

/// A predicate case: what the static rules say, what the predicate would say, and whether it
/// must have been asked.
struct PredicateCase: Sendable, CustomTestStringConvertible {
    let name: String
    let origins: [String]
    let predicateAllows: Set<String>
    let method: String
    let headers: [Header]
    let consulted: Bool
    let expected: Expected

    init(
        _ name: String, origins: [String] = ["https://a.com"], predicateAllows: Set<String>, method: String = "GET",
        _ headers: [Header], consulted: Bool, _ expected: Expected
    ) {
        self.name = name
        self.origins = origins
        self.predicateAllows = predicateAllows
        self.method = method
        self.headers = headers
        self.consulted = consulted
        self.expected = expected
    }

    var testDescription: String { name }
}

/// Records the origins a predicate was asked about.
actor PredicateLog {
    var asked: [String] = []
    func record(_ origin: String) { asked.append(origin) }
}

@Suite struct OriginPredicateTests {
    static let table: [PredicateCase] = [
        PredicateCase(
            "allowed by the predicate", predicateAllows: ["https://tenant.example"], [origin("https://tenant.example")],
            consulted: true, .forwarded(acao: "https://tenant.example", vary: varyOrigin)),
        PredicateCase(
            "refused by the predicate", predicateAllows: [], [origin("https://tenant.example")], consulted: true,
            .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        PredicateCase(
            "preflight allowed by the predicate", predicateAllows: ["https://tenant.example"], method: "OPTIONS",
            [origin("https://tenant.example"), acrm("PUT")], consulted: true,
            .answered(204, acao: "https://tenant.example", acam: "PUT", vary: varyPreflight)),
        PredicateCase(
            "preflight refused by the predicate", predicateAllows: [], method: "OPTIONS",
            [origin("https://tenant.example"), acrm("PUT")], consulted: true,
            .refusedPreflight(.originNotAllowed)),
        PredicateCase(
            "not asked for an exact origin", predicateAllows: [], [origin("https://a.com")], consulted: false,
            .forwarded(acao: "https://a.com", vary: varyOrigin)),
        PredicateCase(
            "not asked for a pattern origin", origins: ["https://*.a.com"], predicateAllows: [],
            [origin("https://x.a.com")], consulted: false, .forwarded(acao: "https://x.a.com", vary: varyOrigin)),
        PredicateCase(
            "not asked for a regex origin", origins: [#"regex:^https://r[0-9]\.com$"#], predicateAllows: [],
            [origin("https://r1.com")], consulted: false, .forwarded(acao: "https://r1.com", vary: varyOrigin)),
        PredicateCase(
            "not asked for a malformed origin", predicateAllows: ["HTTPS://EVIL"], [origin("HTTPS://EVIL")],
            consulted: false, .forwarded(vary: varyOrigin, rejection: .malformedOrigin)),
        PredicateCase(
            "not asked for null", predicateAllows: ["null"], [origin("null")], consulted: false,
            .forwarded(vary: varyOrigin, rejection: .nullOriginNotAllowed)),
        PredicateCase(
            "not asked without Origin", predicateAllows: [], [], consulted: false, .forwarded(vary: varyOrigin)),
        PredicateCase(
            "not asked for several Origin fields", predicateAllows: ["https://t.example"],
            [origin("https://t.example"), origin("https://t.example")], consulted: false,
            .forwarded(vary: varyOrigin, rejection: .multipleOriginHeaders)),
    ]

    @Test(arguments: table)
    func predicate(_ c: PredicateCase) async throws {
        let log = PredicateLog()
        let allows = c.predicateAllows
        let config = CORSConfiguration(
            origins: c.origins,
            originPredicate: { origin in
                await log.record(origin)
                return allows.contains(origin)
            },
            methods: ["PUT"])
        let policy = try CORSPolicy(config)
        let served = await serve(policy, method: c.method, path: "/", headers: c.headers)
        verify(served, request: c.headers, method: c.method, expected: c.expected)
        let asked = await log.asked
        #expect(asked == (c.consulted ? [c.headers[0].value] : []))
    }

    @Test func evaluateDefersToThePredicateAndResolvesSynchronously() throws {
        let policy = try CORSPolicy(
            CORSConfiguration(origins: ["https://a.com"], originPredicate: { _ in false }, credentials: true))
        let fields = HTTPFields([HTTPField(name: .origin, value: "https://db.example")])
        guard case .needsOriginPredicate(let pending) = policy.evaluate(method: .get, path: "/", headerFields: fields)
        else {
            Issue.record("expected the predicate to be needed")
            return
        }
        #expect(pending.origin == "https://db.example")
        let allowed = pending.resolve(originAllowed: true)
        #expect(allowed.isAllowed)
        var response = HTTPFields()
        allowed.apply(to: &response)
        #expect(response[.accessControlAllowOrigin] == "https://db.example")
        #expect(response[.accessControlAllowCredentials] == "true")
        #expect(!pending.resolve(originAllowed: false).isAllowed)

        let exact = HTTPFields([HTTPField(name: .origin, value: "https://a.com")])
        guard case .decided(let decision) = policy.evaluate(method: .get, path: "/", headerFields: exact) else {
            Issue.record("a static match must not need the predicate")
            return
        }
        #expect(decision.isAllowed)
    }
}
