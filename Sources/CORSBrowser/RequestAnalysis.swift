import CORSSyntax

/// What the browser makes of a page's method and headers before sending anything: the
/// normalized method, the header list it really sends, the headers it drops, the CORS-unsafe
/// names, and whether a preflight is needed (https://fetch.spec.whatwg.org/#main-fetch, step 12).
public struct RequestAnalysis: Sendable, Hashable {
    /// The normalized method.
    public var method: String
    /// The headers the browser sends: forbidden ones removed, same names combined with `", "`.
    public var headers: [RequestHeader]
    /// Forbidden headers the page set; the browser drops them silently.
    public var droppedHeaders: [RequestHeader]
    /// The CORS-unsafe request-header names, lowercased, deduplicated and sorted.
    public var unsafeHeaderNames: [String]
    /// Notes about what the browser changed (dropped headers, method normalization).
    public var notes: [String]

    /// Whether a CORS request needs a preflight: the method is not safelisted or some header
    /// name is CORS-unsafe.
    public var needsPreflight: Bool {
        !CORSMethod.isSafelisted(method) || !unsafeHeaderNames.isEmpty
    }

    /// Analyzes a method and header list as `new Request()` / `fetch()` would.
    ///
    /// - Throws: ``RequestError`` for an invalid or forbidden method (`CONNECT`, `TRACE`,
    ///   `TRACK`), an invalid header name, or an invalid header value.
    public init(method rawMethod: String, headers rawHeaders: [RequestHeader]) throws(RequestError) {
        guard CORSMethod.isValid(rawMethod) else {
            throw RequestError("'\(rawMethod)' is not a valid HTTP method.")
        }
        guard !CORSMethod.isForbidden(rawMethod) else {
            throw RequestError("'\(rawMethod)' HTTP method is unsupported.")
        }
        method = CORSMethod.normalize(rawMethod)
        notes = []
        if method != rawMethod {
            notes.append("The method '\(rawMethod)' is normalized to '\(method)'.")
        } else if method.utf8.contains(where: { (0x61...0x7A).contains($0) }) {
            notes.append(
                "The method '\(method)' is sent as written: only DELETE, GET, HEAD, OPTIONS, POST and PUT are"
                    + " uppercased, and Access-Control-Allow-Methods is compared byte for byte"
                    + " ('\(HTTPSyntax.uppercased(method))' there does not allow '\(method)')."
            )
        }
        headers = []
        droppedHeaders = []
        for header in rawHeaders {
            guard HTTPSyntax.isToken(header.name) else {
                throw RequestError("'\(header.name)' is not a valid HTTP header field name.")
            }
            guard header.value.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else {
                throw RequestError(
                    "Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point."
                )
            }
            let value = HTTPSyntax.trimmed(header.value)
            guard !value.utf8.contains(where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) else {
                throw RequestError("'\(header.value)' is not a valid HTTP header field value.")
            }
            let normalized = RequestHeader(header.name, value)
            if ForbiddenRequestHeader.isForbidden(name: header.name, value: value) {
                droppedHeaders.append(normalized)
                notes.append(
                    "The page cannot set '\(header.name)': it is a forbidden request header"
                        + " (https://fetch.spec.whatwg.org/#forbidden-request-header), so the browser drops it"
                        + " silently; a server policy that allows it has no effect."
                )
                continue
            }
            let lower = normalized.lowercasedName
            if let index = headers.firstIndex(where: { $0.lowercasedName == lower }) {
                headers[index].value += ", " + value
            } else {
                headers.append(normalized)
            }
        }
        unsafeHeaderNames = SafelistedRequestHeader.unsafeNames(in: headers)
    }

    /// Re-analysis after a redirect changed the method or removed headers.
    init(method: String, keptHeaders: [RequestHeader], notes: [String]) {
        self.method = method
        self.headers = keptHeaders
        self.droppedHeaders = []
        self.notes = notes
        self.unsafeHeaderNames = SafelistedRequestHeader.unsafeNames(in: keptHeaders)
    }
}
