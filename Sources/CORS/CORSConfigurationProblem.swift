/// One thing wrong (or risky) in a configuration: which rule it breaks, where, what, why it matters,
/// and what to write instead.
///
/// Rendered as `FIELD: problem — why — fix`, the form `cors lint` prints. Code that reacts to a
/// problem (tests, tools, a UI) matches ``kind``, never the prose, which may be reworded.
public struct CORSConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// Which rule the configuration breaks.
    public var kind: Kind
    /// The field's path, e.g. `origins[2]` or `routes[0].credentials`.
    public var field: String
    /// What is wrong, quoting the offending value.
    public var problem: String
    /// Why it is wrong: the rule or the attack it enables.
    public var why: String
    /// What to do instead.
    public var fix: String
    /// The field belongs to a route, which inherits it from the top level: the value is the top
    /// level's, the problem is in how the route combines it (e.g. its own `credentials: true`).
    public var isInherited: Bool

    /// A problem in the form the engine reports its own, for code that checks configurations too (the
    /// policy file reader reports syntax and schema errors this way).
    ///
    /// - Parameters:
    ///   - kind: The rule broken: what code reacting to the problem matches on.
    ///   - field: The field's path (`origins[2]`), or a file's path for a problem with the whole file.
    ///   - problem: What is wrong, quoting the offending value.
    ///   - why: Why it matters.
    ///   - fix: What to write instead.
    ///   - isInherited: Whether a route inherits the field from the top level (`false` unless given).
    public init(kind: Kind, field: String, problem: String, why: String, fix: String, isInherited: Bool = false) {
        self.kind = kind
        self.field = field
        self.problem = problem
        self.why = why
        self.fix = fix
        self.isInherited = isInherited
    }

    public var description: String { "\(field)\(isInherited ? " (inherited)" : ""): \(problem) — \(why) — \(fix)" }
}

extension CORSConfigurationProblem {
    /// The rules a configuration can break. The raw values are stable identifiers (for JSON output,
    /// suppressions, documentation links).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        // MARK: The policy file
        /// The file cannot be read (missing, a directory, not UTF-8).
        case unreadableFile
        /// Not valid JSON or YAML, or empty.
        case fileSyntax
        /// A value of the wrong type, or a document that is not an object of settings.
        case wrongType
        /// A key the policy does not have (often a typo).
        case unknownKey
        /// A key given twice in one object.
        case duplicateKey
        /// A route without its `path`.
        case missingRoutePath

        // MARK: Origins
        /// `*` (origins, methods, request or exposed headers) with credentials.
        case wildcardWithCredentials
        /// `*` listed together with other origins.
        case wildcardAmongOrigins
        /// An entry listed twice.
        case duplicateEntry
        /// `null` listed without `allowNullOrigin`.
        case nullOriginNotEnabled
        /// `allowNullOrigin` is on.
        case nullOriginAllowed
        /// No origin at all is allowed.
        case noOriginAllowed
        /// An origin not in the form browsers send (scheme, case, path, port, length, …).
        case malformedOrigin
        /// A `file:` origin (browsers send `null`).
        case fileOrigin
        /// An IP address written in a form browsers never send.
        case nonCanonicalAddress
        /// A host that looks like an address but is none.
        case invalidAddress
        /// A plain-HTTP origin (or a regex admitting one) with credentials.
        case insecureOrigin
        /// A scheme other than http(s) with credentials.
        case nonWebScheme
        /// `*.` over a top-level domain (`https://*.com`).
        case topLevelDomainWildcard
        /// `*.` over a public suffix of the Public Suffix List (`https://*.co.uk`, `https://*.github.io`).
        case publicSuffixWildcard

        // MARK: Regex origins
        /// A regex that does not compile.
        case regexSyntax
        /// A regex that could backtrack catastrophically (ReDoS) or uses an unsupported construct.
        case regexBacktracking
        /// A regex too large once its counts are expanded.
        case regexTooLarge
        /// A regex that takes an arbitrary origin.
        case regexMatchesAnyOrigin
        /// A regex that takes `https://evilexample.com` for `example.com`.
        case regexWithoutLabelBoundary
        /// A regex that takes `https://example.com.evil.example`.
        case regexUnanchoredEnd
        /// A regex that takes every site under a public suffix.
        case regexOverPublicSuffix
        /// A regex with an unescaped `.`.
        case regexUnescapedDot

        // MARK: Methods and headers
        /// Not an HTTP token (a method or header name).
        case invalidName
        /// CONNECT, TRACE or TRACK.
        case forbiddenMethod
        /// A method not in uppercase.
        case lowercaseMethod
        /// An `Access-Control-*` header among the allowed request headers.
        case corsProtocolHeader
        /// A header a page can never set.
        case forbiddenRequestHeader
        /// A response header a page can never read (`Set-Cookie`).
        case unexposableHeader

        // MARK: Numbers
        /// `maxAge` outside -1…86400.
        case maxAgeOutOfRange
        /// `maxAge` above what Chromium honours.
        case maxAgeAboveBrowserCap
        /// `optionsSuccessStatus` not a 2xx status.
        case invalidSuccessStatus

        // MARK: Routes
        /// A route path that is not a valid pattern.
        case invalidRoutePath
        /// A route that repeats an earlier one's path.
        case repeatedRoute
        /// A route every request of which an earlier route takes.
        case coveredRoute
    }
}

/// Thrown by ``CORSPolicy/init(_:)``: every problem found, not only the first.
public struct CORSConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Every problem found: the top level's first, then each route's, in route order. Never empty
    /// when thrown by ``CORSPolicy/init(_:)``.
    public var problems: [CORSConfigurationProblem]

    /// An error carrying `problems`, for code that checks configurations itself and fails the same way.
    public init(problems: [CORSConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
