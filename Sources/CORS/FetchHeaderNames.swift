/// Header names the Fetch standard gives a special status, used to validate policies.
enum FetchHeaderNames {
    /// Names a page can never set, so "allowing" them is a configuration mistake.
    ///
    /// https://fetch.spec.whatwg.org/#forbidden-request-header
    static let forbiddenRequestHeaders: Set<String> = [
        "accept-charset", "accept-encoding", "access-control-request-headers",
        "access-control-request-method", "connection", "content-length", "cookie", "cookie2", "date", "dnt",
        "expect", "host", "keep-alive", "origin", "referer", "set-cookie", "te", "trailer",
        "transfer-encoding", "upgrade", "via",
    ]

    /// Forbidden by prefix: `proxy-*` and `sec-*`.
    static let forbiddenRequestHeaderPrefixes = ["proxy-", "sec-"]

    static func isForbiddenRequestHeader(_ lowercasedName: String) -> Bool {
        forbiddenRequestHeaders.contains(lowercasedName)
            || forbiddenRequestHeaderPrefixes.contains { lowercasedName.hasPrefix($0) }
    }

    /// Response headers a browser never exposes to a page.
    ///
    /// https://fetch.spec.whatwg.org/#forbidden-response-header-name
    static let forbiddenResponseHeaders: Set<String> = ["set-cookie", "set-cookie2"]
}

/// Method names with a special status in Fetch.
enum FetchMethods {
    /// https://fetch.spec.whatwg.org/#cors-safelisted-method (byte-exact)
    static let safelisted: Set<String> = ["GET", "HEAD", "POST"]
    /// https://fetch.spec.whatwg.org/#forbidden-method (case-insensitive)
    static let forbidden: Set<String> = ["CONNECT", "TRACE", "TRACK"]
    /// https://fetch.spec.whatwg.org/#concept-method-normalize: only these are uppercased by browsers.
    static let normalized: Set<String> = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]

    /// Byte-exact `GET`, `HEAD` or `POST`.
    @inline(__always)
    static func isSafelisted(_ method: UnsafeBufferPointer<UInt8>) -> Bool {
        switch method.count {
        case 3: method[0] == UInt8(ascii: "G") && method[1] == UInt8(ascii: "E") && method[2] == UInt8(ascii: "T")
        case 4:
            method[0] == UInt8(ascii: "H") && method[1] == UInt8(ascii: "E") && method[2] == UInt8(ascii: "A")
                && method[3] == UInt8(ascii: "D")
                || method[0] == UInt8(ascii: "P") && method[1] == UInt8(ascii: "O") && method[2] == UInt8(ascii: "S")
                    && method[3] == UInt8(ascii: "T")
        default: false
        }
    }
}
