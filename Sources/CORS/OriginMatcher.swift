/// Decides whether a request's `Origin` is allowed, with a cost that does not grow with the
/// number of exact origins or wildcard patterns.
///
/// Exact origins are one hash lookup on the whole serialized origin. Patterns are grouped by
/// scheme and port (a handful of groups in practice); inside a group each label-suffix of the
/// request's host is one hash lookup. Regexes are tried in order, then the predicate.
struct OriginMatcher: Sendable {
    /// `"*"`: every origin gets the static `Access-Control-Allow-Origin: *`.
    var allowsAnyOrigin = false
    var allowsNullOrigin = false
    var exactOrigins: Set<String> = []
    var patternGroups: [PatternGroup] = []
    var regexes: [OriginRegex] = []
    var predicate: CORSOriginPredicate?

    /// The answer is the same for every origin, so no `Vary: Origin` is needed.
    var isStatic: Bool { allowsAnyOrigin }

    /// Patterns sharing a scheme and a port rule.
    struct PatternGroup: Sendable {
        var scheme: String
        var port: PortRule
        /// Hosts matched exactly (from `http://localhost:*`).
        var hosts: Set<Substring> = []
        /// Suffixes with their leading dot (`.example.com` from `https://*.example.com`).
        var suffixes: Set<Substring> = []
    }

    enum PortRule: Hashable, Sendable {
        /// No port in the origin (the scheme's default).
        case none
        case exact(Int)
        /// `:*`: any port, or none.
        case any

        func admits(_ port: Int?) -> Bool {
            switch self {
            case .none: port == nil
            case .exact(let value): port == value
            case .any: true
            }
        }
    }

    enum Match {
        case allowed
        case refused(CORSRejection.Reason)
        /// Only the async predicate can tell.
        case askPredicate
    }

    /// Matches a non-`null` origin string without allocating.
    func match(_ origin: String) -> Match {
        if allowsAnyOrigin { return .allowed }
        if exactOrigins.contains(origin) { return .allowed }
        if origin == "null" { return allowsNullOrigin ? .allowed : .refused(.nullOriginNotAllowed) }

        var parsed: OriginSyntax?
        if !patternGroups.isEmpty || !regexes.isEmpty {
            guard case .success(let syntax) = OriginSyntax.parse(origin) else { return .refused(.malformedOrigin) }
            parsed = syntax
        }
        if let syntax = parsed, matchesPattern(origin, syntax) { return .allowed }
        for regex in regexes where regex.matchesWhole(origin) { return .allowed }
        if predicate != nil {
            if parsed == nil, case .failure = OriginSyntax.parse(origin) { return .refused(.malformedOrigin) }
            return .askPredicate
        }
        if parsed == nil, case .failure = OriginSyntax.parse(origin) { return .refused(.malformedOrigin) }
        return .refused(.originNotAllowed)
    }

    private func matchesPattern(_ origin: String, _ syntax: OriginSyntax) -> Bool {
        let utf8 = origin.utf8
        let schemeEnd = utf8.index(utf8.startIndex, offsetBy: syntax.schemeEnd)
        let scheme = Substring(utf8[utf8.startIndex..<schemeEnd])
        let hostStart = utf8.index(schemeEnd, offsetBy: 3)
        let hostEnd = utf8.index(hostStart, offsetBy: syntax.hostEnd - syntax.hostStart)
        let host = Substring(utf8[hostStart..<hostEnd])
        for group in patternGroups where group.scheme == scheme && group.port.admits(syntax.port) {
            if group.hosts.contains(host) { return true }
            if group.suffixes.isEmpty { continue }
            var index = host.utf8.startIndex
            while index < host.utf8.endIndex {
                if host.utf8[index] == UInt8(ascii: "."), index != host.utf8.startIndex,
                    group.suffixes.contains(Substring(host.utf8[index...]))
                {
                    return true
                }
                index = host.utf8.index(after: index)
            }
        }
        return false
    }
}

/// A `regex:` origin, always matched against the whole origin (never a substring: an unanchored
/// `example\.com` would let `https://example.com.evil.net` in).
struct OriginRegex: @unchecked Sendable {
    // `Regex<AnyRegexOutput>` is an immutable value, but its output type isn't marked Sendable.
    let source: String
    let regex: Regex<AnyRegexOutput>

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }

    func matchesWhole(_ origin: String) -> Bool {
        (try? regex.wholeMatch(in: origin)) != nil
    }
}
