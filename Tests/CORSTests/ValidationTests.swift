import CORS
import Testing

/// A configuration that must be refused, and the field the problem must name.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: CORSConfiguration
    let field: String
    let kind: CORSConfigurationProblem.Kind

    init(_ name: String, _ config: CORSConfiguration, field: String, kind: CORSConfigurationProblem.Kind) {
        self.name = name
        self.config = config
        self.field = field
        self.kind = kind
    }

    var testDescription: String { name }
}

/// A configuration that is legal but risky: built, with a warning naming the field.
struct WarningCase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: CORSConfiguration
    let field: String
    let kind: CORSConfigurationProblem.Kind

    init(_ name: String, _ config: CORSConfiguration, field: String, kind: CORSConfigurationProblem.Kind) {
        self.name = name
        self.config = config
        self.field = field
        self.kind = kind
    }

    var testDescription: String { name }
}

/// A valid origin entry, so tables that test other fields don't trip over the origins.
private let a = ["https://a.com"]

private func origins(_ entries: String...) -> CORSConfiguration { CORSConfiguration(origins: entries) }

@Suite struct ValidationTests {
    static let unsafe: [InvalidCase] = [
        // wildcards with credentials (docs/PEERS.md §12)
        InvalidCase(
            "* origin with credentials", CORSConfiguration(origins: ["*"], credentials: true), field: "origins[0]",
            kind: .wildcardWithCredentials),
        InvalidCase(
            "* allowed headers with credentials",
            CORSConfiguration(origins: a, allowedHeaders: ["Authorization", "*"], credentials: true),
            field: "allowedHeaders[1]", kind: .wildcardWithCredentials),
        InvalidCase(
            "* exposed headers with credentials",
            CORSConfiguration(origins: a, exposedHeaders: ["*"], credentials: true), field: "exposedHeaders[0]",
            kind: .wildcardWithCredentials),
        InvalidCase(
            "* methods with credentials", CORSConfiguration(origins: a, methods: ["GET", "*"], credentials: true),
            field: "methods[1]", kind: .wildcardWithCredentials),
        InvalidCase(
            "* together with other origins", origins("https://a.com", "*"), field: "origins[1]",
            kind: .wildcardAmongOrigins),
        // origins that are not serialized origins
        InvalidCase(
            "null without allowNullOrigin", origins("https://a.com", "null"), field: "origins[1]",
            kind: .nullOriginNotEnabled),
        InvalidCase("origin with a path", origins("https://a.com/app"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "origin with a trailing slash", origins("https://a.com/"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("origin with a query", origins("https://a.com?x=1"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "origin with a fragment", origins("https://a.com#top"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("origin with userinfo", origins("https://user@a.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "origin with user:password", origins("https://u:p@a.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("http origin with :80", origins("http://a.com:80"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "https origin with :443", origins("https://a.com", "https://b.com:443"), field: "origins[1]",
            kind: .malformedOrigin),
        InvalidCase("port 0", origins("https://a.com:0"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("port 65536", origins("https://a.com:65536"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "port with a leading zero", origins("https://a.com:0443"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "port that is not a number", origins("https://a.com:8x"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("empty port", origins("https://a.com:"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("no scheme", origins("a.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("no scheme with a port", origins("localhost:3000"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("non-ASCII host", origins("https://bücher.example"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("uppercase host", origins("https://A.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("uppercase scheme", origins("HTTPS://a.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("empty origin entry", origins(""), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("empty host label", origins("https://a..com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("trailing dot", origins("https://a.com."), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("space in host", origins("https://a .com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("file: origin with a host", origins("file://server"), field: "origins[0]", kind: .fileOrigin),
        InvalidCase(
            "file: origin with a path", origins("file:///etc/passwd"), field: "origins[0]", kind: .malformedOrigin),
        // wildcard patterns
        InvalidCase(
            "wildcard glued to the label", origins("https://*example.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "wildcard in a middle label", origins("https://a.*.example.com"), field: "origins[0]",
            kind: .malformedOrigin),
        InvalidCase("wildcard at the end", origins("https://example.*"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase("wildcard alone as the host", origins("https://*"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "wildcard over a bare TLD", origins("https://*.com"), field: "origins[0]", kind: .topLevelDomainWildcard),
        InvalidCase(
            "wildcard over github.io", origins("https://*.github.io"), field: "origins[0]", kind: .publicSuffixWildcard),
        InvalidCase(
            "wildcard over co.uk", origins("https://*.co.uk"), field: "origins[0]", kind: .publicSuffixWildcard),
        // The whole Public Suffix List: private section (com.de), deep ICANN rules, wildcard rules.
        InvalidCase(
            "wildcard over com.de", origins("https://*.com.de"), field: "origins[0]", kind: .publicSuffixWildcard),
        InvalidCase(
            "wildcard over pvt.k12.ma.us", origins("https://*.pvt.k12.ma.us"), field: "origins[0]",
            kind: .publicSuffixWildcard),
        InvalidCase(
            "wildcard over a wildcard rule's parent", origins("https://*.kawasaki.jp"), field: "origins[0]",
            kind: .publicSuffixWildcard),
        InvalidCase(
            "wildcard over a wildcard rule's name", origins("https://*.x.kawasaki.jp"), field: "origins[0]",
            kind: .publicSuffixWildcard),
        InvalidCase("wildcard in the scheme", origins("*://a.com"), field: "origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "partial port wildcard", origins("http://localhost:8*"), field: "origins[0]", kind: .malformedOrigin),
        // addresses as browsers never write them: they match nothing
        InvalidCase("short IPv4", origins("http://127.1"), field: "origins[0]", kind: .nonCanonicalAddress),
        InvalidCase("octal IPv4", origins("http://0177.0.0.1:3000"), field: "origins[0]", kind: .nonCanonicalAddress),
        InvalidCase(
            "hex IPv4", origins("https://a.com", "http://0x7f.0.0.1"), field: "origins[1]", kind: .nonCanonicalAddress),
        InvalidCase(
            "IPv6 with leading zeros", origins("https://[::0001]"), field: "origins[0]", kind: .nonCanonicalAddress),
        InvalidCase(
            "IPv6 uncompressed", origins("https://[0:0:0:0:0:0:0:1]:8443"), field: "origins[0]",
            kind: .nonCanonicalAddress),
        InvalidCase("an address out of range", origins("http://256.1.1.1"), field: "origins[0]", kind: .invalidAddress),
        InvalidCase(
            "IPv6 that does not parse", origins("https://[1::2::3]"), field: "origins[0]", kind: .invalidAddress),
        // regexes
        InvalidCase(
            "regex that does not compile", origins("regex:^https://(a"), field: "origins[0]", kind: .regexSyntax),
        InvalidCase(
            "regex with an open class", origins("https://a.com", "regex:[a-"), field: "origins[1]", kind: .regexSyntax),
        // What `*.` patterns are refused for, found in what a regex takes (with credentials).
        InvalidCase(
            "regex taking evilexample.com, with credentials",
            CORSConfiguration(origins: [#"regex:https://.*example\.com"#], credentials: true), field: "origins[0]",
            kind: .regexWithoutLabelBoundary),
        InvalidCase(
            "regex taking any github.io site, with credentials",
            CORSConfiguration(origins: [#"regex:^https://[a-z]+\.github\.io$"#], credentials: true),
            field: "origins[0]", kind: .regexOverPublicSuffix),
        InvalidCase(
            "regex taking any com.de site, with credentials",
            CORSConfiguration(origins: [#"regex:^https://[a-z]+\.com\.de$"#], credentials: true),
            field: "origins[0]", kind: .regexOverPublicSuffix),
        InvalidCase(
            "regex taking example.com.evil.example, with credentials",
            CORSConfiguration(origins: [#"regex:^https://example\.com.*$"#], credentials: true), field: "origins[0]",
            kind: .regexUnanchoredEnd),
        // methods
        InvalidCase(
            "CONNECT", CORSConfiguration(origins: a, methods: ["GET", "CONNECT"]), field: "methods[1]",
            kind: .forbiddenMethod),
        InvalidCase(
            "TRACE", CORSConfiguration(origins: a, methods: ["TRACE"]), field: "methods[0]", kind: .forbiddenMethod),
        InvalidCase(
            "TRACK", CORSConfiguration(origins: a, methods: ["TRACK"]), field: "methods[0]", kind: .forbiddenMethod),
        InvalidCase(
            "connect (any case)", CORSConfiguration(origins: a, methods: ["connect"]), field: "methods[0]",
            kind: .forbiddenMethod),
        InvalidCase(
            "Trace (any case)", CORSConfiguration(origins: a, methods: ["PUT", "Trace"]), field: "methods[1]",
            kind: .forbiddenMethod),
        InvalidCase(
            "tRaCk (any case)", CORSConfiguration(origins: a, methods: ["tRaCk"]), field: "methods[0]",
            kind: .forbiddenMethod),
        InvalidCase(
            "method that is not a token", CORSConfiguration(origins: a, methods: ["PU T"]), field: "methods[0]",
            kind: .invalidName),
        InvalidCase(
            "empty method", CORSConfiguration(origins: a, methods: [""]), field: "methods[0]", kind: .invalidName),
        // allowed request headers
        InvalidCase(
            "Cookie", CORSConfiguration(origins: a, allowedHeaders: ["Authorization", "Cookie"]),
            field: "allowedHeaders[1]", kind: .forbiddenRequestHeader),
        InvalidCase(
            "Host", CORSConfiguration(origins: a, allowedHeaders: ["Host"]), field: "allowedHeaders[0]",
            kind: .forbiddenRequestHeader),
        InvalidCase(
            "Sec-Fetch-Mode", CORSConfiguration(origins: a, allowedHeaders: ["Sec-Fetch-Mode"]),
            field: "allowedHeaders[0]", kind: .forbiddenRequestHeader),
        InvalidCase(
            "Proxy-Authorization", CORSConfiguration(origins: a, allowedHeaders: ["X-A", "Proxy-Authorization"]),
            field: "allowedHeaders[1]", kind: .forbiddenRequestHeader),
        InvalidCase(
            "Origin", CORSConfiguration(origins: a, allowedHeaders: ["Origin"]), field: "allowedHeaders[0]",
            kind: .forbiddenRequestHeader),
        InvalidCase(
            "Content-Length", CORSConfiguration(origins: a, allowedHeaders: ["content-length"]),
            field: "allowedHeaders[0]", kind: .forbiddenRequestHeader),
        InvalidCase(
            "Accept-Encoding", CORSConfiguration(origins: a, allowedHeaders: ["Accept-Encoding"]),
            field: "allowedHeaders[0]", kind: .forbiddenRequestHeader),
        InvalidCase(
            "Referer", CORSConfiguration(origins: a, allowedHeaders: ["REFERER"]), field: "allowedHeaders[0]",
            kind: .forbiddenRequestHeader),
        InvalidCase(
            "Access-Control-Allow-Origin as a request header",
            CORSConfiguration(origins: a, allowedHeaders: ["Authorization", "Access-Control-Allow-Origin"]),
            field: "allowedHeaders[1]", kind: .corsProtocolHeader),
        InvalidCase(
            "Access-Control-Request-Headers as a request header",
            CORSConfiguration(origins: a, allowedHeaders: ["access-control-request-headers"]),
            field: "allowedHeaders[0]", kind: .corsProtocolHeader),
        InvalidCase(
            "header name with a space", CORSConfiguration(origins: a, allowedHeaders: ["X Foo"]),
            field: "allowedHeaders[0]", kind: .invalidName),
        InvalidCase(
            "header name with a colon", CORSConfiguration(origins: a, allowedHeaders: ["X-Foo:"]),
            field: "allowedHeaders[0]", kind: .invalidName),
        InvalidCase(
            "empty header name", CORSConfiguration(origins: a, allowedHeaders: [""]), field: "allowedHeaders[0]",
            kind: .invalidName),
        // exposed headers
        InvalidCase(
            "Set-Cookie exposed", CORSConfiguration(origins: a, exposedHeaders: ["X-Foo", "Set-Cookie"]),
            field: "exposedHeaders[1]", kind: .unexposableHeader),
        InvalidCase(
            "set-cookie2 exposed", CORSConfiguration(origins: a, exposedHeaders: ["set-cookie2"]),
            field: "exposedHeaders[0]", kind: .unexposableHeader),
        InvalidCase(
            "exposed name that is not a token", CORSConfiguration(origins: a, exposedHeaders: ["X (Foo)"]),
            field: "exposedHeaders[0]", kind: .invalidName),
        // scalars
        InvalidCase("max-age -2", CORSConfiguration(origins: a, maxAge: -2), field: "maxAge", kind: .maxAgeOutOfRange),
        InvalidCase(
            "max-age 86401", CORSConfiguration(origins: a, maxAge: 86401), field: "maxAge", kind: .maxAgeOutOfRange),
        InvalidCase(
            "max-age Int.max", CORSConfiguration(origins: a, maxAge: .max), field: "maxAge", kind: .maxAgeOutOfRange),
        InvalidCase(
            "optionsSuccessStatus 302", CORSConfiguration(origins: a, optionsSuccessStatus: 302),
            field: "optionsSuccessStatus", kind: .invalidSuccessStatus),
        InvalidCase(
            "optionsSuccessStatus 404", CORSConfiguration(origins: a, optionsSuccessStatus: 404),
            field: "optionsSuccessStatus", kind: .invalidSuccessStatus),
        // routes
        InvalidCase(
            "route path without a leading slash",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "api/*")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with a partial wildcard",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/api/v*")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with a query",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/q?x=1")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with an invalid escape",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/api/%zz")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with a dot segment",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/api/../x")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with an encoded dot segment",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/%2e/x")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with ;parameters",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/api;v=1/**")]),
            field: "routes[0].path", kind: .invalidRoutePath),
        InvalidCase(
            "route path with an encoded slash",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/a%2Fb")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with a backslash",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/a\\b")]), field: "routes[0].path",
            kind: .invalidRoutePath),
        InvalidCase(
            "route path with a partial double wildcard",
            CORSConfiguration(
                origins: a, routes: [CORSRouteConfiguration(path: "/ok"), CORSRouteConfiguration(path: "/a/**b")]),
            field: "routes[1].path", kind: .invalidRoutePath),
        InvalidCase(
            "route * origin inheriting credentials",
            CORSConfiguration(
                origins: a, credentials: true, routes: [CORSRouteConfiguration(path: "/public/**", origins: ["*"])]),
            field: "routes[0].origins[0]", kind: .wildcardWithCredentials),
        InvalidCase(
            "route origin with a path",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/x", origins: ["https://b.com/x"])]),
            field: "routes[0].origins[0]", kind: .malformedOrigin),
        InvalidCase(
            "route max-age out of range",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/x", maxAge: 90000)]),
            field: "routes[0].maxAge", kind: .maxAgeOutOfRange),
        InvalidCase(
            "route forbidden method",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/x", methods: ["TRACE"])]),
            field: "routes[0].methods[0]", kind: .forbiddenMethod),
        InvalidCase(
            "route * headers with credentials",
            CORSConfiguration(
                origins: a, routes: [CORSRouteConfiguration(path: "/x", allowedHeaders: ["*"], credentials: true)]),
            field: "routes[0].allowedHeaders[0]", kind: .wildcardWithCredentials),
    ]

    @Test(arguments: unsafe)
    func refused(_ c: InvalidCase) throws {
        let error = #expect(throws: CORSConfigurationError.self) { try CORSPolicy(c.config) }
        let problems = error?.problems ?? []
        #expect(
            problems.contains { $0.field == c.field && $0.kind == c.kind },
            "problems: \(problems.map { "\($0.field) \($0.kind)" })")
        for problem in problems {
            #expect(!problem.problem.isEmpty && !problem.why.isEmpty && !problem.fix.isEmpty)
            #expect(problem.description.hasPrefix("\(problem.field)\(problem.isInherited ? " (inherited)" : ""): "))
        }
        // validate() reports the same problems without building.
        #expect(CORSPolicy.validate(c.config).problems == problems)
    }

    static let risky: [WarningCase] = [
        WarningCase(
            "max-age 7201", CORSConfiguration(origins: a, maxAge: 7201), field: "maxAge", kind: .maxAgeAboveBrowserCap),
        WarningCase(
            "max-age 86400", CORSConfiguration(origins: a, maxAge: 86400), field: "maxAge", kind: .maxAgeAboveBrowserCap
        ),
        WarningCase(
            "http origin with credentials", CORSConfiguration(origins: ["http://a.com"], credentials: true),
            field: "origins[0]", kind: .insecureOrigin),
        WarningCase(
            "non-web scheme with credentials",
            CORSConfiguration(origins: ["https://a.com", "connector://example.com"], credentials: true),
            field: "origins[1]", kind: .nonWebScheme),
        WarningCase(
            "extension origin with credentials",
            CORSConfiguration(origins: ["chrome-extension://abcdefghijklmnopabcdefghijklmnop"], credentials: true),
            field: "origins[0]", kind: .nonWebScheme),
        WarningCase(
            "http pattern with credentials",
            CORSConfiguration(origins: ["https://a.com", "http://localhost:*"], credentials: true), field: "origins[1]",
            kind: .insecureOrigin),
        WarningCase(
            "regex with an unescaped dot", origins("regex:^https://app.example.com$"), field: "origins[0]",
            kind: .regexUnescapedDot),
        WarningCase(
            "regex taking evilexample.com, without credentials", origins(#"regex:https://.*example\.com"#),
            field: "origins[0]", kind: .regexWithoutLabelBoundary),
        WarningCase(
            "regex admitting http with credentials",
            CORSConfiguration(origins: [#"regex:^https?://a\.com$"#], credentials: true), field: "origins[0]",
            kind: .insecureOrigin),
        WarningCase(
            "duplicate origin", origins("https://a.com", "https://b.com", "https://a.com"), field: "origins[2]",
            kind: .duplicateEntry),
        WarningCase(
            "duplicate method", CORSConfiguration(origins: a, methods: ["PUT", "PUT"]), field: "methods[1]",
            kind: .duplicateEntry),
        WarningCase(
            "a lowercase method fetch() keeps", CORSConfiguration(origins: a, methods: ["patch"]), field: "methods[0]",
            kind: .lowercaseMethod),
        WarningCase(
            "duplicate method after normalization", CORSConfiguration(origins: a, methods: ["PUT", "put"]),
            field: "methods[1]", kind: .duplicateEntry),
        WarningCase(
            "a route after a catch-all",
            CORSConfiguration(
                origins: a,
                routes: [CORSRouteConfiguration(path: "/api/**"), CORSRouteConfiguration(path: "/api/*/items")]),
            field: "routes[1].path", kind: .coveredRoute),
        WarningCase(
            "duplicate route path",
            CORSConfiguration(
                origins: a, routes: [CORSRouteConfiguration(path: "/x"), CORSRouteConfiguration(path: "/x")]),
            field: "routes[1].path", kind: .repeatedRoute),
        WarningCase(
            "null origin allowed", CORSConfiguration(origins: a, allowNullOrigin: true), field: "allowNullOrigin",
            kind: .nullOriginAllowed),
        WarningCase("no origin at all", CORSConfiguration(), field: "origins", kind: .noOriginAllowed),
        WarningCase(
            "route max-age above Chromium's cap",
            CORSConfiguration(origins: a, routes: [CORSRouteConfiguration(path: "/x", maxAge: 7300)]),
            field: "routes[0].maxAge", kind: .maxAgeAboveBrowserCap),
    ]

    @Test(arguments: risky)
    func warned(_ c: WarningCase) throws {
        let policy = try CORSPolicy(c.config)
        #expect(
            policy.warnings.contains { $0.field == c.field && $0.kind == c.kind },
            "warnings: \(policy.warnings.map { "\($0.field) \($0.kind)" })")
        let validated = CORSPolicy.validate(c.config)
        #expect(validated.problems.isEmpty)
        #expect(validated.warnings == policy.warnings)
    }

    @Test func wellAnchoredRegexesPassWithoutWarnings() throws {
        for source in [
            #"regex:^https://([a-z0-9-]+\.)?example\.com$"#, #"regex:^https://pr-[0-9]+\.example\.net$"#,
            #"regex:^https://(app|admin)\.example\.com(:[0-9]+)?$"#,
            // Found by review: subdomain names of one's own domain are no one else's to register.
            #"regex:^https://[a-z0-9-]+-preview\.example\.com$"#, #"regex:^https://.*app\.example\.com$"#,
        ] {
            let policy = try CORSPolicy(CORSConfiguration(origins: [source], credentials: true))
            #expect(policy.warnings.isEmpty, "\(source): \(policy.warnings)")
        }
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let config = CORSConfiguration(
            origins: ["*", "https://a.com/"], methods: ["TRACE"], allowedHeaders: ["Cookie"],
            exposedHeaders: ["Set-Cookie"], credentials: true, maxAge: -5, optionsSuccessStatus: 302,
            routes: [CORSRouteConfiguration(path: "nope")])
        let fields = Set(CORSPolicy.validate(config).problems.map(\.field))
        #expect(
            fields.isSuperset(of: [
                "origins[0]", "origins[1]", "methods[0]", "allowedHeaders[0]", "exposedHeaders[0]", "maxAge",
                "optionsSuccessStatus", "routes[0].path",
            ]))
    }

    @Test func messagesFitTheMistake() throws {
        // Found by black-box testing: the fix read "e.g. 'https://*://a.com'", and a NUL printed as a space.
        let scheme = try #require(CORSPolicy.validate(origins("*://a.com")).problems.first)
        #expect(scheme.problem.contains("invalid scheme") && !scheme.fix.contains("https://*://"), "\(scheme)")
        let control = try #require(CORSPolicy.validate(origins("https://a\u{0}b.com")).problems.first)
        #expect(control.problem.contains("the byte 0x0"), "\(control)")
    }

    @Test func inheritedProblemsAreNotRepeatedPerRoute() {
        let config = CORSConfiguration(
            origins: a, maxAge: 99999, routes: [CORSRouteConfiguration(path: "/a"), CORSRouteConfiguration(path: "/b")])
        let problems = CORSPolicy.validate(config).problems
        #expect(problems.map(\.field) == ["maxAge"])
        #expect(problems.map(\.kind) == [.maxAgeOutOfRange])
    }

    @Test func aProblemTheRouteCausesInAnInheritedFieldIsMarkedInherited() throws {
        // The top level's '*' is fine without credentials; the route's own credentials make it wrong.
        let config = CORSConfiguration(
            origins: ["*"], routes: [CORSRouteConfiguration(path: "/account/**", credentials: true)])
        let problem = try #require(CORSPolicy.validate(config).problems.first)
        #expect(problem.kind == .wildcardWithCredentials)
        #expect(problem.field == "routes[0].origins[0]")
        #expect(problem.isInherited)
        #expect(problem.description.hasPrefix("routes[0].origins[0] (inherited): "))
        // A route that sets the field itself owns the problem.
        let own = CORSConfiguration(
            origins: a, routes: [CORSRouteConfiguration(path: "/p/**", origins: ["*"], credentials: true)])
        let owned = try #require(CORSPolicy.validate(own).problems.first)
        #expect(owned.kind == .wildcardWithCredentials && !owned.isInherited)
    }

    @Test func problemsQuoteTheValueAndSuggestAFix() throws {
        let error = #expect(throws: CORSConfigurationError.self) {
            try CORSPolicy(CORSConfiguration(origins: ["https://a.com:443/"]))
        }
        let problem = try #require(error?.problems.first)
        #expect(problem.problem.contains("'https://a.com:443/'"))
        #expect(problem.fix.contains("https://a.com"))
        #expect(error?.description.contains("origins[0]: ") == true)
    }
}
