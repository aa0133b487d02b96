import CORSSyntax
import HTTPTypes

/// Validates one level of configuration (the top level or a route merged with it) and
/// precomputes what the decision needs. Collects every problem rather than stopping at the first.
struct PolicyCompiler {
    var problems: [CORSConfigurationProblem] = []
    var warnings: [CORSConfigurationProblem] = []
    /// Turns a field name into its path (`origins` → `routes[1].origins`), and says whether a route
    /// inherits that field from the top level.
    let fieldPath: (String) -> (path: String, inherited: Bool)
    let isTopLevel: Bool
    /// The origin rules of the last ``compile(_:inheritedOrigins:)``, for routes that inherit them.
    private(set) var origins: OriginMatcher?

    init(isTopLevel: Bool = true, fieldPath: @escaping (String) -> (path: String, inherited: Bool) = { ($0, false) }) {
        self.isTopLevel = isTopLevel
        self.fieldPath = fieldPath
    }

    private mutating func fail(
        _ kind: CORSConfigurationProblem.Kind, _ field: String, _ problem: String, _ why: String, _ fix: String
    ) {
        problems.append(self.problem(kind, field, problem, why, fix))
    }

    private mutating func warn(
        _ kind: CORSConfigurationProblem.Kind, _ field: String, _ problem: String, _ why: String, _ fix: String
    ) {
        warnings.append(self.problem(kind, field, problem, why, fix))
    }

    private func problem(
        _ kind: CORSConfigurationProblem.Kind, _ field: String, _ problem: String, _ why: String, _ fix: String
    ) -> CORSConfigurationProblem {
        let (path, inherited) = fieldPath(field)
        return CORSConfigurationProblem(
            kind: kind, field: path, problem: problem, why: why, fix: fix, isInherited: inherited)
    }

    /// With `inheritedOrigins`, the origin fields are taken as already validated and compiled.
    mutating func compile(_ c: CORSConfiguration, inheritedOrigins: OriginMatcher? = nil) -> CompiledPolicy? {
        let before = problems.count
        let origins = inheritedOrigins ?? compileOrigins(c)
        self.origins = origins
        let methods = compileMethods(c)
        let headers = compileAllowedHeaders(c)
        let exposed = compileExposedHeaders(c)
        let maxAge = compileMaxAge(c.maxAge)
        let status = compileSuccessStatus(c.optionsSuccessStatus)
        guard problems.count == before, let status else { return nil }
        return CompiledPolicy(
            origins: origins, credentials: c.credentials, methods: methods.rule, headers: headers.rule,
            allowMethodsValue: methods.value, allowHeadersValue: headers.value, exposeHeadersValue: exposed,
            maxAgeValue: maxAge, privateNetwork: c.privateNetwork, preflightContinue: c.preflightContinue,
            successStatus: status, debug: c.debug)
    }

    // MARK: origins

    private mutating func compileOrigins(_ c: CORSConfiguration) -> OriginMatcher {
        var matcher = OriginMatcher()
        matcher.allowsNullOrigin = c.allowNullOrigin
        matcher.predicate = c.originPredicate
        var groups: [String: PatternGroupBuilder] = [:]
        var exactOrigins: [String] = []
        var seen: Set<String> = []
        for (index, entry) in c.origins.enumerated() {
            let field = "origins[\(index)]"
            if !seen.insert(entry).inserted {
                warn(
                    .duplicateEntry, field, "\(quoted(entry)) is listed twice", "the second entry has no effect",
                    "remove it")
                continue
            }
            if entry == "*" {
                if Set(c.origins).count > 1 {
                    fail(
                        .wildcardAmongOrigins,
                        field, "'*' is listed together with other origins",
                        "'*' already allows every origin, so the list hides what was meant",
                        "keep either '*' alone or only the origins you trust")
                }
                if c.credentials {
                    fail(
                        .wildcardWithCredentials,
                        field, "'*' (any origin) is combined with credentials: true",
                        "browsers reject 'Access-Control-Allow-Origin: *' on credentialed requests, and reflecting any origin instead would let every site read your users' data",
                        "list the trusted origins, or set credentials: false")
                }
                matcher.allowsAnyOrigin = true
            } else if entry == "null" {
                if c.allowNullOrigin {
                    matcher.allowsNullOrigin = true
                } else {
                    fail(
                        .nullOriginNotEnabled,
                        field, "'null' is listed but allowNullOrigin is not set", OriginEntryValidation.nullWhy,
                        "remove 'null', or set allowNullOrigin: true if you must serve sandboxed or file: documents")
                }
            } else if entry.hasPrefix("regex:") {
                let source = String(entry.dropFirst("regex:".count))
                do {
                    let regex = try OriginRegex(source)
                    matcher.regexes.append(regex)
                    if let probe = OriginEntryValidation.attackerProbes.first(where: { regex.matchesWhole($0) }) {
                        let problem = "regex \(quoted(source)) matches an arbitrary origin (\(quoted(probe)))"
                        let why = "it trusts every site, like '*' but reflected"
                        let fix = "anchor it to your own domains, e.g. '^https://([a-z0-9-]+\\.)?example\\.com$'"
                        if c.credentials {
                            fail(.regexMatchesAnyOrigin, field, problem, why + ", with credentials", fix)
                        } else {
                            warn(.regexMatchesAnyOrigin, field, problem, why, fix)
                        }
                    }
                    // What `*.` patterns are refused for, checked on what the regex takes.
                    for (probe, kind) in OriginEntryValidation.regexProbes(source) where regex.matchesWhole(probe) {
                        let problem = "regex \(quoted(source)) matches \(quoted(probe))"
                        let (probeKind, why, fix): (CORSConfigurationProblem.Kind, String, String)
                        switch kind {
                        case .noLabelBoundary(let domain):
                            probeKind = .regexWithoutLabelBoundary
                            why = "anyone can register a name ending in \(quoted(domain)) without a dot before it"
                            fix =
                                "match subdomains on a label boundary: '^https://([a-z0-9-]+\\.)?\(Self.escaped(domain))$'"
                        case .unanchoredEnd(let domain):
                            probeKind = .regexUnanchoredEnd
                            why = "nothing stops the match after \(quoted(domain)), so any domain can follow it"
                            fix = "end the regex right after the domain (and port) with '$'"
                        case .publicSuffix(let domain):
                            probeKind = .regexOverPublicSuffix
                            why = "sites of unrelated parties share \(quoted(domain))"
                            fix = "list your own subdomains of \(domain) exactly"
                        }
                        if c.credentials {
                            fail(probeKind, field, problem, why + ", and credentials are on", fix)
                        } else {
                            warn(probeKind, field, problem, why, fix)
                        }
                        break
                    }
                    if OriginEntryValidation.hasUnescapedDot(source) {
                        warn(
                            .regexUnescapedDot,
                            field, "regex \(quoted(source)) has an unescaped '.'",
                            "'.' matches any character, so 'app.example.com' also allows 'appxexample.com'",
                            "escape it as '\\.'")
                    }
                    if c.credentials && (source.contains("http:") || source.contains("https?:")) {
                        warn(
                            .insecureOrigin,
                            field, "regex \(quoted(source)) admits http:// origins with credentials", Self.httpWhy,
                            Self.httpFix)
                    }
                } catch {
                    regexFailure(error, source: source, field: field)
                }
            } else {
                compileOriginEntry(
                    entry, field: field, credentials: c.credentials, exactOrigins: &exactOrigins, groups: &groups)
            }
        }
        matcher.exactOrigins = ByteStringSet(exactOrigins)
        matcher.patternGroups = groups.keys.sorted().map { groups[$0]!.group }
        if isTopLevel && c.origins.isEmpty && c.originPredicate == nil && c.routes.isEmpty {
            warn(
                .noOriginAllowed,
                "origins", "no origin is allowed", "every cross-origin request will be refused",
                "list the origins of your front-ends")
        }
        if c.allowNullOrigin {
            warn(
                .nullOriginAllowed,
                "allowNullOrigin", "the 'null' origin is allowed", OriginEntryValidation.nullWhy,
                "turn it off unless you need it")
        }
        return matcher
    }

    private mutating func regexFailure(_ failure: OriginRegex.Failure, source: String, field: String) {
        let quoted = "regex \(quoted(source))"
        let pattern = "match subdomains with a '*.' pattern instead, e.g. 'https://*.example.com'"
        switch failure {
        case .syntax(let error) where error.kind == .unsafe:
            fail(
                .regexBacktracking,
                field, "\(quoted) uses a construct that can take exponential time: \(error)",
                "a backtracking regex engine can spend minutes on one crafted Origin", pattern)
        case .syntax(let error):
            fail(
                .regexSyntax,
                field, "\(quoted) does not compile: \(error)", "a broken regex would match nothing",
                "fix the regex syntax")
        case .hazard(let hazard):
            fail(
                .regexBacktracking,
                field, "\(quoted) \(hazard.description)",
                "a backtracking regex engine can spend minutes on one crafted Origin (ReDoS)", pattern)
        case .tooLarge:
            fail(
                .regexTooLarge,
                field, "\(quoted) is too large once its counts are expanded",
                "its matching would cost too much per request", "use smaller '{n,m}' counts, or a '*.' pattern")
        }
    }

    /// `domain` with its dots escaped for a regex.
    private static func escaped(_ domain: String) -> String {
        domain.split(separator: ".").joined(separator: "\\.")
    }

    private static let httpWhy =
        "a plain-HTTP origin can be impersonated by anyone on the network, who could then read credentialed responses"
    private static let httpFix = "use https:// origins, or set credentials: false"

    private mutating func compileOriginEntry(
        _ entry: String, field: String, credentials: Bool, exactOrigins: inout [String],
        groups: inout [String: PatternGroupBuilder]
    ) {
        let isPattern = entry.contains("*")
        let syntax: OriginSyntax
        switch OriginSyntax.parse(entry, allowWildcards: isPattern) {
        case .failure(let failure):
            let (path, inherited) = fieldPath(field)
            var problem = OriginEntryValidation.problem(for: entry, field: path, failure: failure)
            problem.isInherited = inherited
            problems.append(problem)
            return
        case .success(let parsed):
            syntax = parsed
        }
        let utf8 = Array(entry.utf8)
        let scheme = String(decoding: utf8[0..<syntax.schemeEnd], as: UTF8.self)
        if scheme == "file" {
            fail(
                .fileOrigin,
                field, "\(quoted(entry)) is a file: origin", "browsers send 'Origin: null' for file: documents",
                "remove it; see allowNullOrigin")
            return
        }
        if !syntax.hasHostWildcard {
            let host = String(decoding: utf8[syntax.hostStart..<syntax.hostEnd], as: UTF8.self)
            let rest = String(decoding: utf8[syntax.hostEnd...], as: UTF8.self)
            switch AddressHost.verdict(host) {
            case .name, .canonical:
                break
            case .written(let canonical):
                fail(
                    .nonCanonicalAddress,
                    field, "\(quoted(entry)) writes the address \(host) in a form browsers never send",
                    "browsers write addresses one way (127.0.0.1; IPv6 per RFC 5952) and origins are compared byte"
                        + " for byte, so this entry matches nothing",
                    "write '\(scheme)://\(canonical)\(rest)'")
                return
            case .invalid:
                fail(
                    .invalidAddress,
                    field, "\(quoted(entry)) has a host that looks like an address but is none",
                    "browsers refuse such a URL, so no page can have this origin", "write the address or name meant")
                return
            }
        }
        if scheme == "http" && credentials {
            warn(
                .insecureOrigin, field, "\(quoted(entry)) is a plain-HTTP origin with credentials", Self.httpWhy,
                Self.httpFix)
        } else if scheme != "https" && credentials {
            warn(
                .nonWebScheme,
                field, "\(quoted(entry)) has the non-web scheme '\(scheme)' with credentials",
                "a browser sends such an origin only from an extension or an app's embedded view, and nothing"
                    + " authenticates who serves it the way a TLS certificate does for https",
                "keep credentials for https:// origins; list this one only if you know which app sends it")
        }
        guard isPattern else {
            exactOrigins.append(entry)
            return
        }
        let hostStart = syntax.hostStart + (syntax.hasHostWildcard ? 2 : 0)
        let host = String(decoding: utf8[hostStart..<syntax.hostEnd], as: UTF8.self)
        if syntax.hasHostWildcard {
            if !host.contains(".") {
                fail(
                    .topLevelDomainWildcard,
                    field, "\(quoted(entry)) allows every host under the top-level domain \(quoted(host))",
                    "anyone can register a domain there",
                    "write the wildcard under your own domain, e.g. '*.example.\(host)'")
                return
            }
            if RegistrableDomain.isPublicSuffix(host) {
                fail(
                    .publicSuffixWildcard,
                    field, "\(quoted(entry)) allows every site under the public suffix \(quoted(host))",
                    "anyone can get a subdomain of \(quoted(host))", "list your own subdomains exactly")
                return
            }
        }
        let port: OriginMatcher.PortRule =
            syntax.hasPortWildcard ? .any : syntax.port.map { .exact($0) } ?? .none
        let key = "\(scheme) \(port)"
        var group = groups[key] ?? PatternGroupBuilder(scheme: scheme, port: port)
        if syntax.hasHostWildcard {
            group.suffixes.insert(Substring("." + host))
        } else {
            group.hosts.insert(Substring(host))
        }
        groups[key] = group
    }

    /// Collects one ``OriginMatcher/PatternGroup`` before its sets are frozen.
    private struct PatternGroupBuilder {
        var scheme: String
        var port: OriginMatcher.PortRule
        var hosts: Set<Substring> = []
        var suffixes: Set<Substring> = []

        var group: OriginMatcher.PatternGroup {
            OriginMatcher.PatternGroup(
                scheme: Array(scheme.utf8), port: port, hosts: ByteStringSet(hosts, hashingSuffixes: true),
                suffixes: ByteStringSet(suffixes, hashingSuffixes: true))
        }
    }

    // MARK: methods

    private mutating func compileMethods(_ c: CORSConfiguration) -> (rule: MethodRule, value: String?) {
        var allowsAny = false
        var methods: [String] = []
        for (index, method) in c.methods.enumerated() {
            let field = "methods[\(index)]"
            if method == "*" {
                if c.credentials {
                    fail(
                        .wildcardWithCredentials,
                        field, "'*' (any method) is combined with credentials: true",
                        "browsers do not honour '*' in Access-Control-Allow-Methods on credentialed requests",
                        "list the methods")
                }
                allowsAny = true
                continue
            }
            guard HTTPSyntax.isToken(method) else {
                fail(
                    .invalidName,
                    field, "\(quoted(method)) is not a method name", "method names are HTTP tokens", "write e.g. 'PUT'")
                continue
            }
            let upper = method.uppercased()
            if FetchMethods.forbidden.contains(upper) {
                fail(
                    .forbiddenMethod,
                    field, "\(quoted(method)) is a forbidden method", "browsers never send CONNECT, TRACE or TRACK",
                    "remove it")
                continue
            }
            // Browsers normalize these six to uppercase before sending, so store them that way.
            let normalized = FetchMethods.normalized.contains(upper) ? upper : method
            if normalized != upper {
                warn(
                    .lowercaseMethod,
                    field, "\(quoted(method)) is not uppercase",
                    "fetch() sends it as written (only DELETE, GET, HEAD, OPTIONS, POST and PUT are uppercased),"
                        + " so it matches only a page that writes it so, and many HTTP servers refuse a lowercase"
                        + " method (400)",
                    "write \(quoted(upper)) if that is the method meant")
            }
            if methods.contains(normalized) {
                warn(
                    .duplicateEntry, field, "\(quoted(method)) is listed twice", "the second entry has no effect",
                    "remove it")
            } else {
                methods.append(normalized)
            }
        }
        let value: String? = allowsAny ? "*" : (methods.isEmpty ? nil : methods.joined(separator: ","))
        return (MethodRule(allowsAnyMethod: allowsAny, methods: ByteStringSet(methods)), value)
    }

    // MARK: request headers

    private mutating func compileAllowedHeaders(_ c: CORSConfiguration) -> (rule: HeaderRule, value: String?) {
        var allowsAny = false
        var names: [String] = []
        for (index, name) in c.allowedHeaders.enumerated() {
            let field = "allowedHeaders[\(index)]"
            if name == "*" {
                if c.credentials {
                    fail(
                        .wildcardWithCredentials,
                        field, "'*' (any request header) is combined with credentials: true",
                        "browsers do not honour '*' in Access-Control-Allow-Headers on credentialed requests",
                        "list the headers your front-end sends")
                }
                allowsAny = true
                continue
            }
            guard HTTPSyntax.isToken(name) else {
                fail(
                    .invalidName,
                    field, "\(quoted(name)) is not a header name", "header names are HTTP tokens",
                    "write e.g. 'X-Api-Key'")
                continue
            }
            let lower = name.lowercased()
            if lower.hasPrefix("access-control-") {
                fail(
                    .corsProtocolHeader,
                    field, "\(quoted(name)) is a CORS protocol header", "pages cannot send Access-Control-* headers",
                    "remove it; list the headers your front-end sets")
                continue
            }
            if FetchHeaderNames.isForbiddenRequestHeader(lower) {
                fail(
                    .forbiddenRequestHeader,
                    field, "\(quoted(name)) is a forbidden request header", "browsers never let a page set it",
                    "remove it")
                continue
            }
            if !names.contains(lower) { names.append(lower) }
        }
        let rule = HeaderRule(allowsAnyName: allowsAny, lowercasedNames: names)
        if allowsAny {
            return (rule, names.contains("authorization") ? "*,authorization" : "*")
        }
        return (rule, names.isEmpty ? nil : names.joined(separator: ","))
    }

    // MARK: exposed headers

    private mutating func compileExposedHeaders(_ c: CORSConfiguration) -> String? {
        var names: [String] = []
        for (index, name) in c.exposedHeaders.enumerated() {
            let field = "exposedHeaders[\(index)]"
            if name == "*" {
                if c.credentials {
                    fail(
                        .wildcardWithCredentials,
                        field, "'*' (expose every header) is combined with credentials: true",
                        "browsers read '*' as a header literally named '*' on credentialed requests",
                        "list the headers the page must read")
                }
                if !names.contains("*") { names.append("*") }
                continue
            }
            guard HTTPSyntax.isToken(name) else {
                fail(
                    .invalidName,
                    field, "\(quoted(name)) is not a header name", "header names are HTTP tokens",
                    "write e.g. 'X-Total-Count'")
                continue
            }
            if FetchHeaderNames.forbiddenResponseHeaders.contains(name.lowercased()) {
                fail(
                    .unexposableHeader,
                    field, "\(quoted(name)) can never be exposed",
                    "browsers hide Set-Cookie from pages whatever the server says", "remove it")
                continue
            }
            if !names.contains(where: { $0.lowercased() == name.lowercased() }) { names.append(name) }
        }
        return names.isEmpty ? nil : names.joined(separator: ",")
    }

    // MARK: scalars

    private mutating func compileMaxAge(_ maxAge: Int?) -> String? {
        guard let maxAge else { return nil }
        if maxAge < -1 || maxAge > 86400 {
            fail(
                .maxAgeOutOfRange,
                "maxAge", "\(maxAge) is outside -1…86400",
                "browsers cap the preflight cache (Chromium 7200 s, Firefox 86400 s)",
                "use a value from 0 to 7200, or -1 to disable caching")
            return nil
        }
        if maxAge > 7200 {
            warn(
                .maxAgeAboveBrowserCap,
                "maxAge", "\(maxAge) is above Chromium's cap of 7200", "Chromium caches for 7200 s at most",
                "use 7200 or less")
        }
        switch maxAge {
        case -1: return "0"
        case 0: return nil
        default: return String(maxAge)
        }
    }

    private mutating func compileSuccessStatus(_ status: Int) -> HTTPResponse.Status? {
        guard (200...299).contains(status) else {
            fail(
                .invalidSuccessStatus,
                "optionsSuccessStatus", "\(status) is not a 2xx status",
                "browsers fail a preflight whose status is not 200–299", "use 204, or 200 for old clients")
            return nil
        }
        return HTTPResponse.Status(code: status)
    }
}
