import CORSSyntax

/// A minimal absolute URL: enough to compute origins and resolve a redirect's `Location`
/// without Foundation. Scheme and host are lowercased, the default port is dropped, the
/// fragment is dropped (it is never sent). No IDNA or percent-encoding normalization.
///
/// Origin serialization follows https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin.
public struct BrowserURL: Sendable, Hashable, CustomStringConvertible {
    /// Lowercased scheme, such as `https`.
    public let scheme: String
    /// `user[:password]` when the URL carries credentials.
    public let userinfo: String?
    /// Lowercased host; an IPv6 address keeps its brackets.
    public let host: String
    /// The port, or `nil` for the scheme's default port.
    public let port: Int?
    /// Path, starting with `/`.
    public let path: String
    /// Query without `?`, or `nil`.
    public let query: String?

    /// Parses an absolute URL with an authority (`scheme://host[:port][/path][?query][#fragment]`).
    public init?(_ string: String) {
        let input = HTTPSyntax.trimmed(string)
        guard let colon = input.firstIndex(of: ":") else { return nil }
        let scheme = HTTPSyntax.lowercased(input[..<colon])
        guard let first = scheme.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            scheme.utf8.allSatisfy({ HTTPSyntax.isTokenByte($0) && $0 != UInt8(ascii: "*") })
        else { return nil }
        var rest = String(input[input.index(after: colon)...])
        if BrowserURL.isSpecial(scheme) { rest = rest.replacingBackslashes() }
        guard rest.hasPrefix("//") else { return nil }
        rest.removeFirst(2)
        self.init(scheme: scheme, afterSlashes: rest)
    }

    private init?(scheme: String, afterSlashes rest: String) {
        var rest = Substring(rest)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let pathAndQuery = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        } else {
            userinfo = nil
        }
        var hostPart = authority
        var portPart: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let portColon = authority.lastIndex(of: ":") {
            hostPart = authority[..<portColon]
            portPart = authority[authority.index(after: portColon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        self.scheme = scheme
        self.host = HTTPSyntax.lowercased(hostPart)
        if let portPart, !portPart.isEmpty {
            guard portPart.allSatisfy(\.isASCIIDigit), let number = Int(portPart), number <= 65535 else { return nil }
            self.port = number == BrowserURL.defaultPort(for: scheme) ? nil : number
        } else {
            self.port = nil
        }
        var path = pathAndQuery
        if let question = pathAndQuery.firstIndex(of: "?") {
            path = pathAndQuery[..<question]
            query = String(pathAndQuery[pathAndQuery.index(after: question)...])
        } else {
            query = nil
        }
        self.path = BrowserURL.removingDotSegments(path.isEmpty ? "/" : String(path))
    }

    private init(scheme: String, userinfo: String?, host: String, port: Int?, path: String, query: String?) {
        self.scheme = scheme
        self.userinfo = userinfo
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// `scheme://host[:port]`, the serialized origin of an `http`/`https` URL.
    public var origin: String {
        "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// Whether the scheme is `http` or `https`, the only ones CORS fetches.
    public var isHTTP: Bool { scheme == "http" || scheme == "https" }

    /// The URL as sent (without credentials' removal; without fragment).
    public var description: String {
        "\(scheme)://" + (userinfo.map { "\($0)@" } ?? "") + "\(host)" + (port.map { ":\($0)" } ?? "") + path
            + (query.map { "?\($0)" } ?? "")
    }

    /// Resolves a `Location` value against this URL (https://url.spec.whatwg.org/#concept-basic-url-parser,
    /// simplified to absolute URLs, scheme-relative `//host`, absolute paths, queries and relative
    /// paths). `nil` when the result is not a URL this type can represent.
    public func resolving(_ reference: String) -> BrowserURL? {
        var reference = HTTPSyntax.trimmed(reference)
        if BrowserURL.isSpecial(scheme) { reference = reference.replacingBackslashes() }
        if let colon = reference.firstIndex(of: ":"),
            !reference[..<colon].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" })
        {
            let otherScheme = HTTPSyntax.lowercased(reference[..<colon])
            let afterColon = reference[reference.index(after: colon)...]
            if otherScheme == scheme, BrowserURL.isSpecial(scheme), !afterColon.hasPrefix("//") {
                return resolving(String(afterColon))
            }
            return BrowserURL(reference)
        }
        if reference.hasPrefix("//") {
            return BrowserURL(scheme: scheme, afterSlashes: String(reference.dropFirst(2)))
        }
        var withoutFragment = Substring(reference)
        if let hash = withoutFragment.firstIndex(of: "#") { withoutFragment = withoutFragment[..<hash] }
        if withoutFragment.isEmpty {
            return self
        }
        var newPath = Substring(path)
        var newQuery: String? = nil
        var relative = withoutFragment
        if let question = relative.firstIndex(of: "?") {
            newQuery = String(relative[relative.index(after: question)...])
            relative = relative[..<question]
        }
        if relative.isEmpty {
            // Query only: keep the path.
        } else if relative.hasPrefix("/") {
            newPath = relative
        } else {
            let directory = path[...(path.lastIndex(of: "/") ?? path.startIndex)]
            newPath = Substring(String(directory) + relative)
        }
        return BrowserURL(
            scheme: scheme,
            userinfo: userinfo,
            host: host,
            port: port,
            path: BrowserURL.removingDotSegments(String(newPath)),
            query: newQuery
        )
    }

    /// The URL without its `user:password@` part.
    public var withoutCredentials: BrowserURL {
        BrowserURL(scheme: scheme, userinfo: nil, host: host, port: port, path: path, query: query)
    }

    static func isSpecial(_ scheme: String) -> Bool {
        ["http", "https", "ws", "wss", "ftp", "file"].contains(scheme)
    }

    static func defaultPort(for scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": return 80
        case "https", "wss": return 443
        case "ftp": return 21
        default: return nil
        }
    }

    /// RFC 3986 §5.2.4, also for `%2e` written dots.
    static func removingDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let lower = HTTPSyntax.lowercased(segment)
            let isLast = index == segments.count - 1
            if lower == "." || lower == "%2e" {
                if isLast { output.append("") }
            } else if lower == ".." || lower == ".%2e" || lower == "%2e." || lower == "%2e%2e" {
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            } else {
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        String(map { $0 == "\\" ? "/" : $0 })
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
