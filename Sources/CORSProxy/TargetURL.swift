import HTTPTypes

/// An absolute http(s) URL taken apart the way the proxy needs it: the host both as written
/// (lower-cased, for `Host` and TLS) and, when it is an IP literal, as its canonical address.
public struct TargetURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https
        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// Lower-cased, without brackets or a trailing dot.
    public var host: String
    /// Set when the host is an IP literal in any form (`2130706433`, `[::ffff:7f00:1]`).
    public var address: IPAddress?
    public var port: Int
    /// Path and query, starting with `/`.
    public var pathAndQuery: String

    /// The `Host` header value: the host, plus the port when it is not the scheme's default.
    public var hostField: String {
        let name = address?.uriHost ?? host
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(hostField)\(pathAndQuery)" }

    /// Parses an absolute URL (`https://host:port/path?q`). `defaultSchemeFromPort` accepts the
    /// cors-anywhere short form without a scheme (`host:443/path` → https, anything else → http).
    /// `requireDottedName` refuses names without a dot (cors-anywhere's "Invalid host" 404).
    public init(
        parsing text: Substring, defaultSchemeFromPort: Bool = false, requireDottedName: Bool = true
    ) throws(ProxyRejection) {
        var rest = text
        var scheme: Scheme?
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy(\.isSchemeCharacter),
            rest[..<colon].first?.isLetter == true, rest[rest.index(after: colon)...].hasPrefix("/")
        {
            let name = rest[..<colon].lowercased()
            guard let known = Scheme(rawValue: name) else {
                throw ProxyRejection(
                    .badRequest, reason: "scheme", "Only http and https URLs can be proxied, not \(name):.")
            }
            rest = rest[rest.index(after: colon)...]
            guard rest.hasPrefix("//") else {
                throw ProxyRejection(
                    .badRequest, reason: "bad-url", "The URL is invalid: two slashes are needed after the \(name):.")
            }
            rest = rest.dropFirst(2)
            scheme = known
        } else if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
        } else if !defaultSchemeFromPort {
            throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: it must be absolute.")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        // Clients percent-encode IPv6 brackets in a request path (`/http://%5B::1%5D/`): decode them
        // so the literal is seen (and checked) as the address it names.
        let authority = Self.decodingBrackets(rest[..<authorityEnd])
        var tail = rest[authorityEnd...]
        if let fragment = tail.firstIndex(of: "#") { tail = tail[..<fragment] }
        guard !authority.contains("@") else {
            throw ProxyRejection(
                .badRequest, reason: "bad-url",
                "Credentials in the URL are not forwarded; remove the user:password@ part.")
        }
        var hostPart = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ProxyRejection(.badRequest, reason: "bad-url", "The URL is invalid: unterminated IPv6 address.")
            }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else {
                    throw ProxyRejection(
                        .badRequest, reason: "bad-url", "The URL is invalid: junk after the IPv6 address.")
                }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 10, let value = Int(portText)
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
            guard !requireDottedName || host.contains("."), host.allSatisfy(\.isHostCharacter), !host.hasPrefix("."),
                !host.contains("..")
            else { throw ProxyRejection(.notFound, reason: "invalid-host", "Invalid host: \(host)") }
        }
        let resolvedScheme = scheme ?? (port == 443 ? .https : .http)
        self.scheme = resolvedScheme
        self.host = address?.description ?? host
        self.address = address
        self.port = port ?? resolvedScheme.defaultPort
        self.pathAndQuery = tail.isEmpty ? "/" : (tail.hasPrefix("?") ? "/" + tail : String(tail))
    }

    /// Resolves a `Location` against this URL (RFC 3986 §5.2, enough of it for redirects).
    public func resolving(_ location: String) throws(ProxyRejection) -> TargetURL {
        if location.contains("://") { return try TargetURL(parsing: Substring(location)) }
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
        guard authority.contains("%") else { return authority }
        var decoded = String(authority)
        for (encoded, plain) in [("%5B", "["), ("%5b", "["), ("%5D", "]"), ("%5d", "]"), ("%3A", ":"), ("%3a", ":")] {
            decoded = decoded.replacing(encoded, with: plain)
        }
        return Substring(decoded)
    }
}

extension Character {
    fileprivate var isSchemeCharacter: Bool {
        isASCII && (isLetter || isNumber || self == "+" || self == "-" || self == ".")
    }
    fileprivate var isHostCharacter: Bool {
        isASCII && (isLetter || isNumber || self == "-" || self == "." || self == "_")
    }
}
