/// The serialized form of a tuple origin, `scheme "://" host [":" port]`, parsed byte by byte.
///
/// Browsers always send this exact form (lowercase, punycode, no default port, no path), so
/// anything else is either a configuration mistake or a request from something that is not a
/// browser. https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
struct OriginSyntax: Equatable {
    /// Byte offsets into the parsed string.
    var schemeEnd: Int
    var hostStart: Int
    var hostEnd: Int
    /// The explicit port, if any.
    var port: Int?
    /// `*.` leads the host (only when wildcards are allowed).
    var hasHostWildcard: Bool
    /// The port is `*` (only when wildcards are allowed).
    var hasPortWildcard: Bool

    enum Failure: Error, Equatable {
        case empty
        case missingScheme
        case invalidScheme
        case uppercase
        case nonASCII
        case userinfo
        case emptyHost
        case invalidHostCharacter(UInt8)
        case emptyLabel
        case misplacedWildcard
        case invalidPort
        case portOutOfRange
        case defaultPort
        case trailingSlash
        case path
        case query
        case fragment
        /// Longer than ``OriginSyntax/maximumLength``.
        case tooLong
    }

    /// A scheme of 64 bytes, the longest DNS name (253), brackets and a port: no page a browser
    /// can load has a longer origin. Refusing longer ones first bounds the cost of every match.
    static let maximumLength = 64 + 3 + 253 + 2 + 6

    /// Parses `bytes` as an origin; with `allowWildcards`, also `scheme://*.domain` and `:*`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, allowWildcards: Bool = false) -> Result<
        OriginSyntax, Failure
    > {
        let count = bytes.count
        if count == 0 { return .failure(.empty) }
        // A wildcard pattern's `*.` is two bytes more than any host it stands for.
        if count > maximumLength + (allowWildcards ? 2 : 0) { return .failure(.tooLong) }
        for byte in bytes where byte >= 0x80 { return .failure(.nonASCII) }

        // scheme
        var index = 0
        while index < count, isSchemeByte(bytes[index]) { index += 1 }
        guard index + 2 < count, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"),
            bytes[index + 2] == UInt8(ascii: "/")
        else {
            return .failure(index < count && bytes[index] == UInt8(ascii: ":") ? .invalidScheme : .missingScheme)
        }
        let schemeEnd = index
        if schemeEnd == 0 || !isLowerAlpha(bytes[0]) {
            return .failure(isUpperAlpha(bytes[0]) ? .uppercase : .invalidScheme)
        }
        for i in 0..<schemeEnd where isUpperAlpha(bytes[i]) { return .failure(.uppercase) }
        let hostStart = schemeEnd + 3

        // authority ends at the first '/', '?' or '#'
        var authorityEnd = hostStart
        while authorityEnd < count {
            let byte = bytes[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "@") { return .failure(.userinfo) }
            authorityEnd += 1
        }

        // host
        var hostEnd = hostStart
        var hasHostWildcard = false
        if hostStart < count, bytes[hostStart] == UInt8(ascii: "[") {
            while hostEnd < authorityEnd, bytes[hostEnd] != UInt8(ascii: "]") {
                let byte = bytes[hostEnd]
                if hostEnd > hostStart, !(isHexDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")) {
                    return .failure(isUpperAlpha(byte) ? .uppercase : .invalidHostCharacter(byte))
                }
                hostEnd += 1
            }
            guard hostEnd < authorityEnd else { return .failure(.invalidHostCharacter(UInt8(ascii: "["))) }
            hostEnd += 1
        } else {
            if allowWildcards, hostStart + 1 < authorityEnd, bytes[hostStart] == UInt8(ascii: "*") {
                guard bytes[hostStart + 1] == UInt8(ascii: ".") else { return .failure(.misplacedWildcard) }
                hasHostWildcard = true
                hostEnd = hostStart + 2
            }
            var labelLength = 0
            while hostEnd < authorityEnd, bytes[hostEnd] != UInt8(ascii: ":") {
                let byte = bytes[hostEnd]
                if byte == UInt8(ascii: ".") {
                    if labelLength == 0 { return .failure(.emptyLabel) }
                    labelLength = 0
                } else if byte == UInt8(ascii: "*") {
                    return .failure(.misplacedWildcard)
                } else if isUpperAlpha(byte) {
                    return .failure(.uppercase)
                } else if !isHostByte(byte) {
                    return .failure(.invalidHostCharacter(byte))
                } else {
                    labelLength += 1
                }
                hostEnd += 1
            }
            if hostEnd == hostStart { return .failure(.emptyHost) }
            if labelLength == 0 {
                return .failure(hasHostWildcard && hostEnd == hostStart + 2 ? .misplacedWildcard : .emptyLabel)
            }
        }

        // port
        var port: Int?
        var hasPortWildcard = false
        if hostEnd < authorityEnd {
            guard bytes[hostEnd] == UInt8(ascii: ":") else { return .failure(.invalidHostCharacter(bytes[hostEnd])) }
            let portStart = hostEnd + 1
            if allowWildcards, portStart + 1 == authorityEnd, bytes[portStart] == UInt8(ascii: "*") {
                hasPortWildcard = true
            } else {
                guard portStart < authorityEnd, authorityEnd - portStart <= 5 else {
                    return .failure(authorityEnd - portStart > 5 ? .portOutOfRange : .invalidPort)
                }
                var value = 0
                for i in portStart..<authorityEnd {
                    let byte = bytes[i]
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .failure(.invalidPort) }
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
                if bytes[portStart] == UInt8(ascii: "0") {
                    return .failure(value == 0 ? .portOutOfRange : .invalidPort)
                }
                guard value >= 1, value <= 65535 else { return .failure(.portOutOfRange) }
                port = value
            }
        }

        if authorityEnd < count {
            switch bytes[authorityEnd] {
            case UInt8(ascii: "?"): return .failure(.query)
            case UInt8(ascii: "#"): return .failure(.fragment)
            default: return .failure(authorityEnd + 1 == count ? .trailingSlash : .path)
            }
        }

        let syntax = OriginSyntax(
            schemeEnd: schemeEnd, hostStart: hostStart, hostEnd: hostEnd, port: port,
            hasHostWildcard: hasHostWildcard, hasPortWildcard: hasPortWildcard)
        if let port, let defaultPort = Self.defaultPort(scheme: bytes, end: schemeEnd), port == defaultPort {
            return .failure(.defaultPort)
        }
        return .success(syntax)
    }

    /// Parses a Swift string; native strings are contiguous, so this doesn't copy.
    static func parse(_ string: String, allowWildcards: Bool = false) -> Result<OriginSyntax, Failure> {
        var string = string
        return string.withUTF8 { parse($0, allowWildcards: allowWildcards) }
    }

    private static func defaultPort(scheme bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        if end == 4, bytes[0] == UInt8(ascii: "h"), bytes[1] == UInt8(ascii: "t"), bytes[2] == UInt8(ascii: "t"),
            bytes[3] == UInt8(ascii: "p")
        {
            return 80
        }
        if end == 5, bytes[0] == UInt8(ascii: "h"), bytes[1] == UInt8(ascii: "t"), bytes[2] == UInt8(ascii: "t"),
            bytes[3] == UInt8(ascii: "p"), bytes[4] == UInt8(ascii: "s")
        {
            return 443
        }
        if end == 2, bytes[0] == UInt8(ascii: "w"), bytes[1] == UInt8(ascii: "s") { return 80 }
        if end == 3, bytes[0] == UInt8(ascii: "w"), bytes[1] == UInt8(ascii: "s"), bytes[2] == UInt8(ascii: "s") {
            return 443
        }
        return nil
    }

    @inline(__always) private static func isLowerAlpha(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always) private static func isUpperAlpha(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) private static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x61 && b <= 0x66)
    }
    @inline(__always) private static func isSchemeByte(_ b: UInt8) -> Bool {
        isLowerAlpha(b) || isUpperAlpha(b) || isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            || b == UInt8(ascii: ".")
    }
    @inline(__always) private static func isHostByte(_ b: UInt8) -> Bool {
        isLowerAlpha(b) || isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }
}
