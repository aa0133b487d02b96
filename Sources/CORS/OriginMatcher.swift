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
    var exactOrigins = ByteStringSet([String]())
    var patternGroups: [PatternGroup] = []
    var regexes: [OriginRegex] = []
    var predicate: CORSOriginPredicate?

    /// The answer is the same for every origin, so no `Vary: Origin` is needed.
    var isStatic: Bool { allowsAnyOrigin }

    /// Patterns sharing a scheme and a port rule.
    struct PatternGroup: Sendable {
        var scheme: [UInt8]
        var port: PortRule
        /// Hosts matched exactly (from `http://localhost:*`).
        var hosts: ByteStringSet
        /// Suffixes with their leading dot (`.example.com` from `https://*.example.com`).
        var suffixes: ByteStringSet
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
        var contiguous = origin
        return contiguous.withUTF8 { match(origin, bytes: $0) }
    }

    private func match(_ origin: String, bytes: UnsafeBufferPointer<UInt8>) -> Match {
        if exactOrigins.contains(bytes) { return .allowed }
        if bytes.count == 4, bytes[0] == UInt8(ascii: "n"), bytes[1] == UInt8(ascii: "u"),
            bytes[2] == UInt8(ascii: "l"), bytes[3] == UInt8(ascii: "l")
        {
            return allowsNullOrigin ? .allowed : .refused(.nullOriginNotAllowed)
        }

        var parsed: OriginSyntax?
        if !patternGroups.isEmpty || !regexes.isEmpty {
            guard case .success(let syntax) = OriginSyntax.parse(bytes) else { return .refused(.malformedOrigin) }
            parsed = syntax
        }
        if let syntax = parsed, matchesPattern(bytes, syntax) { return .allowed }
        for regex in regexes where regex.matchesWhole(origin) { return .allowed }
        if predicate != nil {
            if parsed == nil, case .failure = OriginSyntax.parse(bytes) { return .refused(.malformedOrigin) }
            return .askPredicate
        }
        if parsed == nil, case .failure = OriginSyntax.parse(bytes) { return .refused(.malformedOrigin) }
        return .refused(.originNotAllowed)
    }

    /// One pass from the host's last byte to its first: each suffix's hash is known when its
    /// leading `.` is reached, so every suffix costs one probe, whatever the number of patterns.
    private func matchesPattern(_ bytes: UnsafeBufferPointer<UInt8>, _ syntax: OriginSyntax) -> Bool {
        let hostStart = syntax.hostStart
        let hostEnd = syntax.hostEnd
        for group in patternGroups where group.port.admits(syntax.port) {
            guard group.scheme.count == syntax.schemeEnd,
                group.scheme.withUnsafeBufferPointer({ $0.elementsEqual(bytes[0..<syntax.schemeEnd]) })
            else { continue }
            var hash = ByteStringSet.emptyHash
            var index = hostEnd
            while index > hostStart {
                index -= 1
                let byte = bytes[index]
                hash = ByteStringSet.hash(hash, prepending: byte)
                if byte == UInt8(ascii: "."), index != hostStart,
                    group.suffixes.contains(UnsafeBufferPointer(rebasing: bytes[index..<hostEnd]), hash: hash)
                {
                    return true
                }
            }
            if group.hosts.contains(UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd]), hash: hash) {
                return true
            }
        }
        return false
    }
}

/// A `regex:` origin, always matched against the whole origin (never a substring: an unanchored
/// `example\.com` would let `https://example.com.evil.net` in), in time linear in the origin.
struct OriginRegex: Sendable {
    let source: String
    let program: OriginRegexProgram

    enum Failure: Error, Equatable {
        case syntax(OriginRegexSyntaxError)
        case hazard(OriginRegexHazard)
        case tooLarge
    }

    init(_ source: String) throws(Failure) {
        self.source = source
        let node: OriginRegexNode
        do {
            node = try OriginRegexParser.parse(source)
        } catch {
            throw .syntax(error)
        }
        if let hazard = OriginRegexHazard.find(in: node) { throw .hazard(hazard) }
        do {
            program = try OriginRegexProgram(node)
        } catch {
            throw .tooLarge
        }
    }

    func matchesWhole(_ origin: String) -> Bool {
        var contiguous = origin
        return contiguous.withUTF8 { program.matchesWhole($0) }
    }
}
