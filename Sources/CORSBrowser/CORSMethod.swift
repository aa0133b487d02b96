import CORSSyntax

/// Method rules of the Fetch standard, as Chromium 156 applies them.
public enum CORSMethod {
    /// `GET`, `HEAD`, `POST`, byte-exact (https://fetch.spec.whatwg.org/#cors-safelisted-method).
    public static func isSafelisted(_ method: String) -> Bool {
        method == "GET" || method == "HEAD" || method == "POST"
    }

    /// `CONNECT`, `TRACE`, `TRACK`, case-insensitive (https://fetch.spec.whatwg.org/#forbidden-method).
    /// `fetch()` rejects them with a `TypeError`.
    public static func isForbidden(_ method: String) -> Bool {
        let upper = HTTPSyntax.uppercased(method)
        return upper == "CONNECT" || upper == "TRACE" || upper == "TRACK"
    }

    /// Uppercases only `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT` (matched
    /// case-insensitively); any other method, such as `patch`, is kept byte for byte
    /// (https://fetch.spec.whatwg.org/#concept-method-normalize).
    public static func normalize(_ method: String) -> String {
        let upper = HTTPSyntax.uppercased(method)
        switch upper {
        case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT": return upper
        default: return method
        }
    }

    /// A method is a token (https://fetch.spec.whatwg.org/#concept-method).
    public static func isValid(_ method: String) -> Bool {
        HTTPSyntax.isToken(method)
    }
}
