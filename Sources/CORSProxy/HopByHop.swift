#if Tools
import CORSNIO
import NIOHTTP1

/// Header fields that describe one connection, not the message, and so never cross a proxy
/// (RFC 9110 §7.6.1): `Connection` and every name it lists, `Keep-Alive`, `TE`, `Trailer`,
/// `Transfer-Encoding`, `Upgrade`, and `Proxy-*`.
enum HopByHop {
    /// The lower-cased names listed in `Connection` fields.
    static func listedInConnection<S: Sequence>(_ values: S) -> Set<String> where S.Element == String {
        var listed: Set<String> = []
        for value in values {
            for token in value.split(separator: ",") {
                let name = token.trimmingASCIISpaces().lowercased()
                if !name.isEmpty { listed.insert(name) }
            }
        }
        return listed
    }

    /// Whether `name` (any case) is one of the fixed hop-by-hop names or `Proxy-*`, without
    /// allocating: the gateway asks this for every field of every request and answer.
    static func isHopByHopName(_ name: String) -> Bool {
        let fixed =
            switch name.utf8.count {
            case 2: ASCII.equalsIgnoringCase(name, "te")
            case 7: ASCII.equalsIgnoringCase(name, "trailer") || ASCII.equalsIgnoringCase(name, "upgrade")
            case 10: ASCII.equalsIgnoringCase(name, "connection") || ASCII.equalsIgnoringCase(name, "keep-alive")
            case 17: ASCII.equalsIgnoringCase(name, "transfer-encoding")
            default: false
            }
        return fixed || ASCII.hasPrefixIgnoringCase(name, "proxy-")
    }

    /// `headers` less the hop-by-hop fields and those `also` picks (NIO `HTTPHeaders`, the
    /// gateway's event-loop path).
    static func endToEnd(_ headers: HTTPHeaders, reserving extra: Int, also: (String) -> Bool = { _ in false })
        -> HTTPHeaders
    {
        // `keep-alive` and `close`, the usual values, name no field: no set (nor array) to build for them.
        var listed: Set<String> = []
        for (name, value) in headers where ASCII.equalsIgnoringCase(name, "connection") {
            if !ASCII.equalsIgnoringCase(value, "keep-alive"), !ASCII.equalsIgnoringCase(value, "close") {
                listed.formUnion(listedInConnection(CollectionOfOne(value)))
            }
        }
        // An array, then `HTTPHeaders` of it: `add` re-checks every name (ASCII, `Connection`), and
        // these names came out of llhttp or `HTTPHeaders` already.
        var forwarded: [(String, String)] = []
        forwarded.reserveCapacity(headers.count + extra)
        for (name, value) in headers {
            if isHopByHopName(name) || also(name) || (!listed.isEmpty && listed.contains(name.lowercased())) {
                continue
            }
            forwarded.append((name, value))
        }
        return HTTPHeaders(forwarded)
    }

    /// A request's end-to-end fields for the upstream, less `Host` and `Content-Length` (the
    /// gateway sets both) and `Expect` (the gateway answers `100-continue` itself).
    /// `keepingForwarded`: a client's `X-Forwarded-*`/`Forwarded` claims go on (a gateway behind a
    /// proxy that sets them); otherwise only its `X-Forwarded-For` chain does.
    /// `keepingUnderscores`: names with `_` go on too (see ``hasUnderscore(_:)``).
    static func forwardableRequestHeaders(
        _ headers: HTTPHeaders, keepingForwarded: Bool = false, keepingUnderscores: Bool = false
    ) -> HTTPHeaders {
        endToEnd(headers, reserving: 5) {
            ASCII.equalsIgnoringCase($0, "host") || ASCII.equalsIgnoringCase($0, "content-length")
                || ASCII.equalsIgnoringCase($0, "expect") || (!keepingForwarded && ForwardedFields.isClientClaim($0))
                || (!keepingUnderscores && hasUnderscore($0))
        }
    }

    /// A field name with `_`: WSGI and CGI servers read `X_Real_IP` as `X-Real-IP` (both become
    /// `HTTP_X_REAL_IP`), so a client could slip past the filtering of the hyphenated name. nginx
    /// drops such names by default (`underscores_in_headers off`); so do the gateway and the proxy.
    static func hasUnderscore(_ name: String) -> Bool {
        name.utf8.contains(UInt8(ascii: "_"))
    }

}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}

/// The `X-Forwarded-*` fields of a forwarded request. `X-Forwarded-For` gets the client's address
/// appended to the chain so far (nginx's `$proxy_add_x_forwarded_for`). `X-Forwarded-Proto` and
/// `X-Forwarded-Host` say what this hop saw: a client's own claims (``isClientClaim(_:)``) were
/// filtered out with the hop-by-hop fields — a client could set them to anything, and the
/// upstream's absolute links, redirects and cache keys would follow — unless a gateway behind a
/// proxy that sets them was told to keep them, and then they stand.
enum ForwardedFields {
    /// What a client may claim about the hops before it that this hop replaces with what it saw
    /// (or drops): `Forwarded` (RFC 7239), `X-Forwarded-Proto/Host/Port/Prefix`, `X-Real-IP`.
    /// `X-Forwarded-For` is not among them: it is a chain, this hop appends to it.
    static func isClientClaim(_ name: String) -> Bool {
        guard name.utf8.count >= 9 else { return false }
        return ASCII.equalsIgnoringCase(name, "forwarded") || ASCII.equalsIgnoringCase(name, "x-real-ip")
            || (ASCII.hasPrefixIgnoringCase(name, "x-forwarded-") && !ASCII.equalsIgnoringCase(name, "x-forwarded-for"))
    }

    static func add(to headers: inout HTTPHeaders, clientAddress: String?, originalHost: String?) {
        // `contains` first: looking fields up by subscript builds an array, on every request.
        if let clientAddress {
            if headers.contains(name: "x-forwarded-for") {
                let existing = headers["x-forwarded-for"].joined(separator: ", ")
                headers.replaceOrAdd(name: "X-Forwarded-For", value: "\(existing), \(clientAddress)")
            } else {
                headers.add(name: "X-Forwarded-For", value: clientAddress)
            }
        }
        if !headers.contains(name: "x-forwarded-proto") { headers.add(name: "X-Forwarded-Proto", value: "http") }
        if let originalHost, !headers.contains(name: "x-forwarded-host") {
            headers.add(name: "X-Forwarded-Host", value: originalHost)
        }
    }
}
#endif
