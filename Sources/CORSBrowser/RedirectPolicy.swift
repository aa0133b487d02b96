/// How a browser follows redirects for `fetch()` with the default redirect mode `follow`
/// (https://fetch.spec.whatwg.org/#http-redirect-fetch).
public enum RedirectPolicy {
    /// At most 20 redirects; the 21st fails (`net::ERR_TOO_MANY_REDIRECTS`).
    public static let maximumRedirects = 20

    /// A redirect status (https://fetch.spec.whatwg.org/#redirect-status): 301, 302, 303, 307, 308.
    /// Only with a `Location` header is the response followed.
    public static func isRedirect(status: Int) -> Bool {
        [301, 302, 303, 307, 308].contains(status)
    }

    /// The method after the redirect: 301/302 turn `POST` into `GET`; 303 turns anything but
    /// `GET`/`HEAD` into `GET`; 307/308 keep it (https://fetch.spec.whatwg.org/#http-redirect-fetch, step 12).
    public static func method(afterRedirect status: Int, from method: String) -> String {
        if (status == 301 || status == 302) && method == "POST" { return "GET" }
        if status == 303 && method != "GET" && method != "HEAD" { return "GET" }
        return method
    }

    /// Request-body-header names, removed when the method changes to `GET`
    /// (https://fetch.spec.whatwg.org/#request-body-header-name).
    public static let requestBodyHeaderNames: Set<String> = [
        "content-encoding", "content-language", "content-location", "content-type",
    ]

    /// Header names removed when a redirect crosses origins: the CORS non-wildcard request-header
    /// names (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name), i.e. `authorization`.
    public static let crossOriginRemovedHeaderNames: Set<String> = ["authorization"]
}
