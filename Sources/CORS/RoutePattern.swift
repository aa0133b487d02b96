/// A per-route path pattern: `/`-separated segments, `*` one segment, `**` any number of them.
struct RoutePattern: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(Substring)
        case anySegment
        case anyDepth
    }

    let source: String
    let segments: [Segment]

    enum Failure: Error, Equatable {
        case missingLeadingSlash
        case partialWildcard(String)
        /// `?` or `#`: requests are matched on their path alone.
        case queryOrFragment
    }

    init(_ source: String) throws(Failure) {
        guard source.first == "/" else { throw .missingLeadingSlash }
        if source.contains(where: { $0 == "?" || $0 == "#" }) { throw .queryOrFragment }
        var segments: [Segment] = []
        for part in source.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case "**": segments.append(.anyDepth)
            case "*": segments.append(.anySegment)
            default:
                if part.contains("*") { throw .partialWildcard(String(part)) }
                segments.append(.literal(part))
            }
        }
        self.source = source
        self.segments = segments
    }

    /// Whether every path this pattern's `other` matches, this one matches too (checked on the
    /// segments: `**` covers whatever follows, `*` any one segment but `**`).
    func covers(_ other: RoutePattern) -> Bool {
        var mine = segments[...]
        var theirs = other.segments[...]
        while let segment = mine.popFirst() {
            switch segment {
            case .anyDepth:
                // A `**` that does not end the pattern: not judged (never says "covered" wrongly).
                return mine.isEmpty
            case .anySegment:
                guard let next = theirs.popFirst(), next != .anyDepth else { return false }
            case .literal(let literal):
                guard theirs.popFirst() == .literal(literal) else { return false }
            }
        }
        return theirs.isEmpty
    }

    /// Matches a request target's path (a query is ignored) without allocating. An absolute-form
    /// target (`http://host/path`) is matched on its path, and empty segments (`//admin`) are
    /// skipped: frameworks route both to the same handler as `/admin`, so a route's policy must
    /// apply to them too (else `//admin/x` would escape a stricter `/admin/**`).
    func matches(_ target: String) -> Bool {
        var path = target[...]
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        if path.first != "/", let schemeEnd = path.firstRange(of: "://") {
            let authority = path[schemeEnd.upperBound...]
            path = authority.firstIndex(of: "/").map { authority[$0...] } ?? "/"
        }
        guard path.first == "/" else { return false }
        return match(0, Self.skippingEmpty(path.dropFirst()))
    }

    /// `rest` past any leading empty segments (`//` collapses to `/`); nil once nothing is left.
    private static func skippingEmpty(_ rest: Substring?) -> Substring? {
        guard var rest else { return nil }
        while rest.first == "/" { rest = rest.dropFirst() }
        return rest
    }

    /// `rest` is what follows a `/`; nil once no segment is left.
    private func match(_ index: Int, _ rest: Substring?) -> Bool {
        if index == segments.count { return rest == nil }
        switch segments[index] {
        case .anyDepth:
            if match(index + 1, rest) { return true }
            guard let rest else { return false }
            return match(index, Self.next(rest))
        case .anySegment:
            guard let rest else { return false }
            return match(index + 1, Self.next(rest))
        case .literal(let literal):
            guard let rest, Self.head(rest) == literal else { return false }
            return match(index + 1, Self.next(rest))
        }
    }

    private static func head(_ rest: Substring) -> Substring {
        rest.firstIndex(of: "/").map { rest[..<$0] } ?? rest
    }

    private static func next(_ rest: Substring) -> Substring? {
        skippingEmpty(rest.firstIndex(of: "/").map { rest[rest.index(after: $0)...] })
    }
}
