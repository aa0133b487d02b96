import CORSSyntax

/// Forbidden request-headers: headers a page cannot set; `fetch()` silently drops them
/// (https://fetch.spec.whatwg.org/#forbidden-request-header).
public enum ForbiddenRequestHeader {
    /// The forbidden names, lowercased.
    public static let names: Set<String> = [
        "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
        "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
        "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via",
    ]

    /// Names whose value is checked for a forbidden method.
    static let methodOverrideNames: Set<String> = ["x-http-method", "x-http-method-override", "x-method-override"]

    /// Whether the page is forbidden to set `(name, value)`: a listed name, a `proxy-` or `sec-`
    /// prefix, or `X-HTTP-Method`, `X-HTTP-Method-Override`, `X-Method-Override` whose value, split
    /// as a comma-separated list, names a forbidden method (`CONNECT`, `TRACE`, `TRACK`).
    public static func isForbidden(name: String, value: String) -> Bool {
        let lower = HTTPSyntax.lowercased(name)
        if names.contains(lower) || lower.hasPrefix("proxy-") || lower.hasPrefix("sec-") {
            return true
        }
        if methodOverrideNames.contains(lower) {
            return value.split(separator: ",", omittingEmptySubsequences: false).contains {
                CORSMethod.isForbidden(HTTPSyntax.trimmed($0))
            }
        }
        return false
    }
}
