import CORSSyntax
public import HTTPTypes

/// Which response headers a page can read from a CORS response
/// (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name,
/// https://fetch.spec.whatwg.org/#http-access-control-expose-headers).
public enum ExposedHeaders {
    /// Always readable: `Cache-Control`, `Content-Language`, `Content-Length`, `Content-Type`,
    /// `Expires`, `Last-Modified`, `Pragma` (lowercased).
    public static let safelisted: Set<String> = [
        "cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma",
    ]

    /// Never readable: `Set-Cookie`, `Set-Cookie2` (https://fetch.spec.whatwg.org/#forbidden-response-header-name).
    public static let forbidden: Set<String> = ["set-cookie", "set-cookie2"]

    /// The lowercased names of the headers in `fields` that the page can read, sorted.
    ///
    /// A name is readable when safelisted or listed in `Access-Control-Expose-Headers` of this
    /// (actual) response, case-insensitively, or when that list holds `*` and the request has no
    /// credentials. An unparsable `Access-Control-Expose-Headers` exposes nothing extra.
    public static func readable(in fields: HTTPFields, credentials: Bool) -> [String] {
        let listed = Set((TokenList.parse(fields[.accessControlExposeHeaders]) ?? []).map(HTTPSyntax.lowercased))
        let wildcard = !credentials && listed.contains("*")
        var names = Set<String>()
        for field in fields {
            let name = field.name.canonicalName
            if forbidden.contains(name) { continue }
            if safelisted.contains(name) || listed.contains(name) || wildcard {
                names.insert(name)
            }
        }
        return names.sorted()
    }

    /// Every header name of a same-origin response (all but `Set-Cookie`/`Set-Cookie2`), sorted.
    public static func readableSameOrigin(in fields: HTTPFields) -> [String] {
        Set(fields.map(\.name.canonicalName)).subtracting(forbidden).sorted()
    }

    /// Warnings for the expose list: `*` with credentials is literal, and listing names that the
    /// response does not carry is harmless but worth knowing.
    static func warnings(in fields: HTTPFields, credentials: Bool) -> [String] {
        guard let value = fields[.accessControlExposeHeaders] else { return [] }
        guard let listed = TokenList.parse(value) else {
            return [
                "Access-Control-Expose-Headers '\(value)' does not parse as a comma-separated list of header names:"
                    + " nothing beyond the safelisted headers is readable."
            ]
        }
        var warnings: [String] = []
        if credentials && listed.contains("*") {
            warnings.append(
                "Access-Control-Expose-Headers: * is a literal name when the request includes credentials:"
                    + " list the headers by name."
            )
        }
        if listed.contains(where: { forbidden.contains(HTTPSyntax.lowercased($0)) }) {
            warnings.append(
                "Set-Cookie is never readable by a page, even when listed in Access-Control-Expose-Headers.")
        }
        return warnings
    }
}
