#if Tools
/// The stable identifier of a class of CORS misconfiguration, as listed in the README
/// ("`cors audit` finding ids"). Scripts match on ``rawValue``; new ids may be added.
public struct AuditFindingID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id as printed, such as `reflect-any-origin`.
    public let rawValue: String

    /// Wraps an id.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: AuditFindingID, rhs: AuditFindingID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Any origin is reflected into `Access-Control-Allow-Origin`.
    public static let reflectAnyOrigin = AuditFindingID(rawValue: "reflect-any-origin")
    /// `Origin: null` is trusted (sandboxed iframes and `data:` documents send it).
    public static let nullOrigin = AuditFindingID(rawValue: "null-origin")
    /// `https://HOST.evil.example` is trusted: the origin is matched by prefix.
    public static let prefixMatch = AuditFindingID(rawValue: "prefix-match")
    /// `https://evilDOMAIN` is trusted: the origin is matched by suffix without a label boundary.
    /// DOMAIN is HOST's registrable domain (CORS-RULES.md's `evilHOST` when HOST is one): for a
    /// subdomain, `evilHOST` is still under the site's domain, which `*.DOMAIN` rightly trusts.
    public static let suffixMatch = AuditFindingID(rawValue: "suffix-match")
    /// A `.` of HOST replaced by a letter is trusted: a regex with an unescaped dot.
    public static let unescapedDot = AuditFindingID(rawValue: "unescaped-dot")
    /// DOMAIN minus its first character is trusted: the origin is matched as a substring (an
    /// attacker can register `xample.com`, not `pp.example.com`).
    public static let substringMatch = AuditFindingID(rawValue: "substring-match")
    /// `https://HOST_.evil.example` (or another special character) is trusted.
    public static let specialChars = AuditFindingID(rawValue: "special-chars")
    /// `https://evil.HOST` is trusted: every subdomain is.
    public static let anySubdomain = AuditFindingID(rawValue: "any-subdomain")
    /// An https site trusts its `http://` origin, which a network attacker can impersonate.
    public static let httpOriginTrusted = AuditFindingID(rawValue: "http-origin-trusted")
    /// A host where anyone can publish pages (`*.github.io`, `codepen.io`...) is trusted.
    public static let thirdPartyOrigin = AuditFindingID(rawValue: "third-party-origin")
    /// `Access-Control-Allow-Origin: *` on a resource that looks private.
    public static let wildcardPrivate = AuditFindingID(rawValue: "wildcard-private")
    /// `*` together with `Access-Control-Allow-Credentials: true` (browsers refuse it).
    public static let wildcardWithCredentials = AuditFindingID(rawValue: "wildcard-with-credentials")
    /// `Access-Control-Allow-Origin` depends on the request but `Vary: Origin` is missing.
    public static let missingVary = AuditFindingID(rawValue: "missing-vary")

    /// Every id, in the order findings are listed within one severity.
    public static let all: [AuditFindingID] = [
        .reflectAnyOrigin, .nullOrigin, .prefixMatch, .suffixMatch, .unescapedDot, .substringMatch, .specialChars,
        .anySubdomain, .httpOriginTrusted, .thirdPartyOrigin, .wildcardPrivate, .wildcardWithCredentials,
        .missingVary,
    ]

    /// One line: what the finding means.
    public var meaning: String {
        switch self {
        case .reflectAnyOrigin: "any origin is echoed into Access-Control-Allow-Origin"
        case .nullOrigin: "`Origin: null` is trusted (any sandboxed iframe can send it)"
        case .prefixMatch: "origins are matched by prefix: https://HOST.evil.example is trusted"
        case .suffixMatch:
            "origins are matched by suffix: https://evilDOMAIN (DOMAIN: HOST's registrable domain) is trusted"
        case .unescapedDot: "a regex with an unescaped `.` trusts HOST with a dot replaced by a letter"
        case .substringMatch: "origins are matched as substrings: DOMAIN minus its first character is trusted"
        case .specialChars: "HOST followed by a special character (https://HOST_.evil.example) is trusted"
        case .anySubdomain: "every subdomain is trusted: the site is only as safe as its weakest subdomain"
        case .httpOriginTrusted: "an https site trusts http://HOST, which a network attacker can impersonate"
        case .thirdPartyOrigin: "a host where anyone can publish pages (*.github.io, codepen.io...) is trusted"
        case .wildcardPrivate:
            "`Access-Control-Allow-Origin: *` on a resource that sets cookies or is on a private address"
        case .wildcardWithCredentials: "`*` together with `Access-Control-Allow-Credentials: true`: browsers refuse it"
        case .missingVary: "Access-Control-Allow-Origin depends on the Origin but `Vary: Origin` is missing"
        default: rawValue
        }
    }

    /// The general rule that fixes it, whatever the server.
    public var rule: String {
        switch self {
        case .reflectAnyOrigin:
            "Never echo the Origin header back unchecked: compare it byte for byte with a list of exact origins and"
                + " answer only those (with `Vary: Origin`)."
        case .nullOrigin:
            "Never trust `null`: sandboxed iframes, `data:` documents and redirected requests all send it."
        case .prefixMatch, .specialChars:
            "Match the whole origin: compare exact strings, or anchor a regex with `^` and `$`; a check that only"
                + " looks at the beginning lets `https://HOST.evil.example` and `https://HOST_.evil.example` in."
        case .suffixMatch:
            "Match subdomains on a label boundary: the host must end with `.example.com` (with the dot), not"
                + " `example.com`, and the scheme must match too."
        case .unescapedDot:
            "Escape every `.` in an origin regex (`\\.`) and anchor it with `^` and `$`, or use exact origins."
        case .substringMatch:
            "Never use `contains`/`indexOf` on an origin: compare it with exact origins."
        case .anySubdomain:
            "List the subdomains that need access instead of trusting them all: any subdomain with an XSS or a"
                + " takeover can then read this site's responses."
        case .httpOriginTrusted:
            "An https site must trust only https origins: anyone on the network path can answer for http://HOST."
        case .thirdPartyOrigin:
            "Don't trust hosts where anyone can publish a page (github.io, codepen.io, jsfiddle.net, repl.it,"
                + " jsbin.com); trust your own origins only."
        case .wildcardPrivate:
            "Send `Access-Control-Allow-Origin: *` only for public data that depends on neither cookies nor the"
                + " network position; elsewhere answer exact origins."
        case .wildcardWithCredentials:
            "Choose one: `*` without credentials for public data, or exact origins with"
                + " `Access-Control-Allow-Credentials: true`; browsers refuse `*` with `true`."
        case .missingVary:
            "Send `Vary: Origin` on every response whose Access-Control-Allow-Origin depends on the request,"
                + " including responses to refused origins and to requests without Origin (append, don't overwrite)."
        default: ""
        }
    }

    /// The fix as a `cors serve` policy file fragment for a site whose origin is `siteOrigin`.
    public func policyFix(siteOrigin: String) -> String {
        let exact = #"{"origins": ["\#(siteOrigin)"], "credentials": true}"#
        let https = siteOrigin.hasPrefix("http://") ? "https://" + siteOrigin.dropFirst("http://".count) : siteOrigin
        switch self {
        case .nullOrigin:
            return #"{"origins": ["\#(siteOrigin)"], "allowNullOrigin": false}"#
        case .anySubdomain:
            return #"{"origins": ["\#(siteOrigin)", "https://admin.\#(Self.host(of: siteOrigin))"]}"#
                + " (the subdomains you need, not https://*.\(Self.host(of: siteOrigin)))"
        case .httpOriginTrusted:
            return #"{"origins": ["\#(https)"]}"#
        case .unescapedDot:
            let escaped = siteOrigin.replacing(".", with: "\\\\.")
            return #"{"origins": ["regex:^\#(escaped)$"]} or {"origins": ["\#(siteOrigin)"]}"#
        case .wildcardPrivate:
            return exact + #" (or, for public data only, "routes": [{"path": "/public/**", "origins": ["*"]}])"#
        case .wildcardWithCredentials:
            return exact + #" or {"origins": ["*"], "credentials": false}"#
        case .missingVary:
            return exact + " (cors serve sends `Vary: Origin` on every response)"
        default:
            return exact
        }
    }

    private static func host(of origin: String) -> String {
        guard let scheme = origin.firstRange(of: "://") else { return origin }
        return String(origin[scheme.upperBound...])
    }
}
#endif
