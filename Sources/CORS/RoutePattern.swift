/// A per-route path pattern: `/`-separated segments, `*` one segment, `**` any number of them.
///
/// Literal segments are kept decoded as ``RequestPath`` reads requests (`/%61pi` is `/api`);
/// empty segments are left out, as they are in requests (`/api/` is `/api`).
struct RoutePattern: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
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
        /// `%` not followed by two hex digits.
        case invalidEscape(String)
        /// `.` or `..`: requests are matched once their dot segments are resolved.
        case dotSegment(String)
        /// `;`, `\`, or an encoded `/` or `\`: what they mean in a request depends on the server.
        case serverDependent(String)
    }

    init(_ source: String) throws(Failure) {
        guard source.first == "/" else { throw .missingLeadingSlash }
        if source.contains(where: { $0 == "?" || $0 == "#" }) { throw .queryOrFragment }
        var segments: [Segment] = []
        for part in source.dropFirst().split(separator: "/") {
            switch part {
            case "**": segments.append(.anyDepth)
            case "*": segments.append(.anySegment)
            default:
                if part.contains("*") { throw .partialWildcard(String(part)) }
                segments.append(.literal(try Self.decoded(part)))
            }
        }
        self.source = source
        self.segments = segments
    }

    /// A literal segment's bytes with its percent escapes decoded, but `%25`.
    private static func decoded(_ part: Substring) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = part.utf8[...]
        while let byte = rest.popFirst() {
            var value = byte
            if byte == UInt8(ascii: "%") {
                guard let high = rest.popFirst().flatMap(RequestPath.hexValue),
                    let low = rest.popFirst().flatMap(RequestPath.hexValue)
                else { throw .invalidEscape(String(part)) }
                value = high << 4 | low
                if value == UInt8(ascii: "%") {
                    bytes += "%25".utf8
                    continue
                }
            }
            if value == UInt8(ascii: "/") || value == UInt8(ascii: "\\") || value == UInt8(ascii: ";") {
                throw .serverDependent(String(part))
            }
            bytes.append(value)
        }
        if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] {
            throw .dotSegment(String(part))
        }
        return bytes
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

    /// Matches a resolved request path, without recursion or allocation.
    ///
    /// The two-pointer glob match over segments, from the end (``RequestPath`` reads that way):
    /// on a mismatch only the last `**` seen takes one more segment and the match goes on from
    /// there. Each restart moves that `**`'s start one segment on, so with `m` pattern segments
    /// and `n` path bytes the match takes O(m·n) steps at worst, O(n) without `**`.
    func matches(_ path: RequestPath) -> Bool {
        // The pattern segments not yet matched are `segments[..<remaining]`.
        var remaining = segments.count
        var cursor = path.last
        // The last `**` seen: the segments left before it, and where its match ends.
        var restart: (remaining: Int, cursor: RequestPath.Cursor)?
        while true {
            var next = cursor
            guard let segment = path.previous(&next) else { break }
            if remaining > 0 {
                switch segments[remaining - 1] {
                case .anyDepth:
                    // First try `**` matching nothing.
                    remaining -= 1
                    restart = (remaining, cursor)
                    continue
                case .anySegment:
                    remaining -= 1
                    cursor = next
                    continue
                case .literal(let literal):
                    if path.segment(segment, equals: literal) {
                        remaining -= 1
                        cursor = next
                        continue
                    }
                }
            }
            guard var star = restart else { return false }
            // The last `**` takes one more segment (there is one: the match failed at or after it).
            _ = path.previous(&star.cursor)
            restart = star
            remaining = star.remaining
            cursor = star.cursor
        }
        while remaining > 0, segments[remaining - 1] == .anyDepth { remaining -= 1 }
        return remaining == 0
    }
}
