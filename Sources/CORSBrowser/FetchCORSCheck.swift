import CORSSyntax
public import HTTPTypes

/// The CORS check (https://fetch.spec.whatwg.org/#concept-cors-check) as Chromium runs it on
/// every response of a CORS request, redirects included (`network::cors::CheckAccess` in
/// services/network/public/cpp/cors/cors.cc).
public enum FetchCORSCheck {
    /// Checks `fields` of a response for `origin`.
    ///
    /// Order, as Chromium: ACAO exactly `*` passes without credentials and fails with them
    /// (`WildcardOriginNotAllowed`); absent → `MissingAllowOriginHeader`; not byte-equal to the
    /// serialized origin → `MultipleAllowOriginValues` when it contains a space or comma (several
    /// field lines combine to `a, b`), `AllowOriginMismatch` for `null`,
    /// `InvalidAllowOriginValue` when it is not a URL, else `AllowOriginMismatch`. Then, with
    /// credentials, ACAC must be exactly `true` (`InvalidAllowCredentials`).
    ///
    /// - Parameters:
    ///   - fields: the response's header fields.
    ///   - origin: the request's serialized origin (`null` once tainted by a redirect).
    ///   - credentials: whether the credentials mode is `include`.
    /// - Returns: `nil` when the check passes.
    public static func check(_ fields: HTTPFields, origin: String, credentials: Bool) -> CORSFailure? {
        let allowOrigin = fields[.accessControlAllowOrigin]
        let credentialNote = credentials ? " together with `Access-Control-Allow-Credentials: true`" : ""
        let sendOrigin = "Send `Access-Control-Allow-Origin: \(origin)`\(credentialNote)"
        if allowOrigin == "*" {
            if !credentials { return nil }
            return CORSFailure(
                .wildcardOriginNotAllowed,
                fix: "\(sendOrigin) (echo the allowed Origin and add `Vary: Origin`): `*` is refused when the"
                    + " request includes credentials."
            )
        }
        guard let allowOrigin else {
            return CORSFailure(
                .missingAllowOriginHeader,
                fix: "\(sendOrigin) on this response"
                    + (credentials ? "." : " (or `Access-Control-Allow-Origin: *` for a public resource).")
            )
        }
        if allowOrigin != origin {
            if allowOrigin.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") }) {
                return CORSFailure(
                    .multipleAllowOriginValues,
                    failedParameter: allowOrigin,
                    fix: "\(sendOrigin): exactly one value, once; echo the request's Origin when it is allowed"
                        + " instead of listing origins, and don't add the header in two layers."
                )
            }
            if allowOrigin != "null", !isURL(allowOrigin) {
                return CORSFailure(
                    .invalidAllowOriginValue,
                    failedParameter: allowOrigin,
                    fix: "\(sendOrigin): a serialized origin `scheme://host[:port]`, not '\(allowOrigin)'."
                )
            }
            return CORSFailure(
                .allowOriginMismatch,
                failedParameter: allowOrigin,
                fix: "\(sendOrigin): the browser compares byte for byte (no trailing slash, no default port,"
                    + " lowercase scheme and host)."
            )
        }
        if credentials {
            let allowCredentials = fields[.accessControlAllowCredentials]
            if allowCredentials != "true" {
                return CORSFailure(
                    .invalidAllowCredentials,
                    failedParameter: allowCredentials ?? "",
                    fix: "Send `Access-Control-Allow-Credentials: true` (exactly, lowercase) with"
                        + " `Access-Control-Allow-Origin: \(origin)`, or make the request without credentials."
                )
            }
        }
        return nil
    }

    /// Chromium asks `GURL(value).is_valid()` here; this approximates it: a scheme followed by
    /// `:`, and for http(s) a host.
    static func isURL(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":") else { return false }
        let scheme = HTTPSyntax.lowercased(value[..<colon])
        guard let first = scheme.utf8.first,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            scheme.utf8.allSatisfy({
                HTTPSyntax.isTokenByte($0) && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "|")
            })
        else { return false }
        if BrowserURL.isSpecial(scheme) && scheme != "file" {
            return BrowserURL(value) != nil
        }
        return true
    }
}
