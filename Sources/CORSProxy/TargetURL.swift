#if Tools
import CORSNIO
import HTTPTypes

/// An absolute http(s) URL taken apart the way the proxy needs it: the host both as written
/// (lower-cased, for `Host` and TLS) and, when it is an IP literal, as its canonical address.
public struct TargetURL: Sendable, Equatable, CustomStringConvertible {
    /// The two schemes the proxy fetches; the raw value is the lower-case name.
    public enum Scheme: String, Sendable {
        /// `http` (default port 80) and `https` (default port 443, the certificate checked against the host).
        case http, https
        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    /// The scheme: as written, or, in the short form without one, `https` for port 443 and `http` otherwise.
    public private(set) var scheme: Scheme
    /// Lower-cased, without brackets or a trailing dot.
    public private(set) var host: String
    /// Set when the host is an IP literal in any form (`2130706433`, `[::ffff:7f00:1]`).
    public private(set) var address: IPAddress?
    /// The port, 1–65535: as written, else the scheme's default (80 or 443).
    public private(set) var port: Int
    /// Path and query, starting with `/`.
    public var pathAndQuery: String
    /// The `Host` header value: the host, plus the port when it is not the scheme's default.
    /// Made once (every proxied request sends it and reports the URL).
    public private(set) var hostField: String

    public var description: String { "\(scheme.rawValue)://\(hostField)\(pathAndQuery)" }

    /// Parses an absolute URL (`https://host:port/path?q`). `defaultSchemeFromPort` accepts the
    /// cors-anywhere short form without a scheme (`host:443/path` → https, anything else → http).
    /// `requireDottedName` refuses names without a dot (cors-anywhere's "Invalid host" 404).
    public init(
        parsing text: Substring, defaultSchemeFromPort: Bool = false, requireDottedName: Bool = true
    ) throws(ProxyRejection) {
        var rest = text
        var scheme: Scheme?
        // Bytes, not Characters: every proxied request is parsed here, and grapheme breaking
        // measured at several percent of the proxy's time. Every delimiter is ASCII.
        if let colon = rest.utf8.firstIndex(of: UInt8(ascii: ":")), let first = rest.utf8.first,
            URLByte.isLetter(first), rest.utf8[..<colon].allSatisfy(URLByte.isSchemeByte),
            rest.utf8[rest.utf8.index(after: colon)...].first == UInt8(ascii: "/")
        {
            let name = rest[..<colon]
            let known: Scheme? =
                ASCII.equalsIgnoringCase(name, "http") ? .http : ASCII.equalsIgnoringCase(name, "https") ? .https : nil
            guard let known else {
                throw ProxyRejection(
                    .badRequest, reason: "scheme", "Only http and https URLs can be proxied, not \(name.lowercased()):."
                )
            }
            rest = rest[rest.utf8.index(after: colon)...]
            guard rest.utf8.starts(with: "//".utf8) else {
                throw ProxyRejection(
                    .badRequest, reason: "bad-url",
                    "The URL is invalid: two slashes are needed after the \(known.rawValue):.")
            }
            rest = rest[rest.utf8.index(rest.startIndex, offsetBy: 2)...]
            scheme = known
        } else if rest.utf8.starts(with: "//".utf8) {
            rest = rest[rest.utf8.index(rest.startIndex, offsetBy: 2)...]
        } else if !defaultSchemeFromPort {
            throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: it must be absolute.")
        }
        let authorityEnd =
            rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? rest.endIndex
        // Clients percent-encode IPv6 brackets in a request path (`/http://%5B::1%5D/`): decode them
        // so the literal is seen (and checked) as the address it names.
        let authority = Self.decodingBrackets(rest[..<authorityEnd])
        var tail = rest[authorityEnd...]
        if let fragment = tail.utf8.firstIndex(of: UInt8(ascii: "#")) { tail = tail[..<fragment] }
        guard !authority.utf8.contains(UInt8(ascii: "@")) else {
            throw ProxyRejection(
                .badRequest, reason: "bad-url",
                "Credentials in the URL are not forwarded; remove the user:password@ part.")
        }
        var hostPart = authority
        var portText: Substring?
        if authority.utf8.first == UInt8(ascii: "[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: unterminated IPv6 address.")
            }
            hostPart = authority[...close]
            let after = authority[authority.utf8.index(after: close)...]
            if !after.isEmpty {
                guard after.utf8.first == UInt8(ascii: ":") else {
                    throw ProxyRejection(
                        .badRequest, reason: "bad-url", "The URL is invalid: junk after the IPv6 address.")
                }
                portText = after[after.utf8.index(after: after.startIndex)...]
            }
        } else if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
            hostPart = authority[..<colon]
            portText = authority[authority.utf8.index(after: colon)...]
        }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.utf8.allSatisfy(URLByte.isDigit), portText.utf8.count <= 10, let value = Int(portText)
            else {
                throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: bad port \"\(portText)\".")
            }
            guard value <= 65535 else {
                throw ProxyRejection(.badRequest, reason: "port", "Port number too large: \(value)")
            }
            guard value > 0 else { throw ProxyRejection(.badRequest, reason: "port", "Port number 0 is not allowed") }
            port = value
        }
        var host = hostPart.lowercased()
        if host.hasSuffix("."), !host.hasSuffix("..") { host.removeLast() }
        guard !host.isEmpty else {
            throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: no host.")
        }
        let address: IPAddress?
        do {
            address = try IPAddress.parseHost(Substring(host))
        } catch {
            throw ProxyRejection(.badRequest, reason: "bad-url", "Invalid IP address: \(error.host)")
        }
        if address == nil {
            guard !requireDottedName || host.utf8.contains(UInt8(ascii: ".")), host.utf8.allSatisfy(URLByte.isHostByte),
                host.utf8.first != UInt8(ascii: "."), !host.contains("..")
            else { throw ProxyRejection(.notFound, reason: "invalid-host", "Invalid host: \(host)") }
        }
        let resolvedScheme = scheme ?? (port == 443 ? .https : .http)
        self.scheme = resolvedScheme
        self.host = address?.description ?? host
        self.address = address
        self.port = port ?? resolvedScheme.defaultPort
        self.pathAndQuery = tail.isEmpty ? "/" : (tail.utf8.first == UInt8(ascii: "?") ? "/" + tail : String(tail))
        let name: String
        switch address {
        case .v4: name = self.host
        case .v6(let high, let low): name = IPAddress.v6(high, low).uriHost
        case nil: name = host
        }
        self.hostField = self.port == resolvedScheme.defaultPort ? name : "\(name):\(self.port)"
    }

    /// Resolves a `Location` against this URL (RFC 3986 §5.2, enough of it for redirects).
    public func resolving(_ location: String) throws(ProxyRejection) -> TargetURL {
        // Absolute when it starts with a scheme (`http:`…), not merely contains `://` (a relative
        // `/login?next=http://x` does).
        let schemeEnd = location.utf8.firstIndex { !URLByte.isSchemeByte($0) }
        if let schemeEnd, location.utf8[schemeEnd] == UInt8(ascii: ":"), let first = location.utf8.first,
            URLByte.isLetter(first)
        {
            return try TargetURL(parsing: Substring(location))
        }
        var base = self
        if location.hasPrefix("//") { return try TargetURL(parsing: Substring("\(scheme.rawValue):\(location)")) }
        if location.hasPrefix("/") {
            base.pathAndQuery = location
        } else if location.hasPrefix("?") {
            let path = pathAndQuery.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
            base.pathAndQuery = path + location
        } else {
            let path = pathAndQuery.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
            let directory = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
            base.pathAndQuery = directory + location
        }
        if let fragment = base.pathAndQuery.firstIndex(of: "#") {
            base.pathAndQuery = String(base.pathAndQuery[..<fragment])
        }
        return base
    }

    private static func decodingBrackets(_ authority: Substring) -> Substring {
        guard authority.utf8.contains(UInt8(ascii: "%")) else { return authority }
        var decoded = String(authority)
        for (encoded, plain) in [("%5B", "["), ("%5b", "["), ("%5D", "]"), ("%5d", "]"), ("%3A", ":"), ("%3a", ":")] {
            decoded = decoded.replacing(encoded, with: plain)
        }
        return Substring(decoded)
    }
}

/// The ASCII classes of URL syntax, on bytes.
enum URLByte {
    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }
    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }
    static func isHostByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_")
    }
    /// The value of a hexadecimal digit; nil for any other byte.
    static func hexValue(_ byte: UInt8) -> UInt64? {
        if isDigit(byte) { return UInt64(byte - UInt8(ascii: "0")) }
        let lower = byte | 0x20
        if (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(lower) { return UInt64(lower - UInt8(ascii: "a") + 10) }
        return nil
    }
}
#endif
