import HTTPTypes

/// The browser's side of one `fetch()` as a state machine the caller drives: it says what to
/// send next (a preflight or the actual request), the caller does the I/O and feeds the
/// response back, until a final ``BrowserVerdict``.
///
/// It follows Fetch's main fetch, HTTP fetch and HTTP-redirect fetch
/// (https://fetch.spec.whatwg.org/#main-fetch, https://fetch.spec.whatwg.org/#http-redirect-fetch)
/// as Chromium 156 runs them: a cross-origin request is CORS-checked on every response,
/// redirects included; a preflight precedes it when the method is not safelisted, a header
/// name is CORS-unsafe, or Private Network Access applies, and again after each redirect;
/// preflights never follow redirects; at most 20 redirects; a cross-origin hop from a
/// cross-origin URL taints the origin (`Origin: null` from then on); `Authorization` is removed
/// on a cross-origin hop; 301/302 turn `POST` into `GET`, 303 anything but `HEAD` into `GET`.
///
/// ```swift
/// var exchange = BrowserExchange(BrowserRequest(url: "https://api.example/x", origin: "https://app.example"))
/// while let outgoing = exchange.nextRequest {
///     let response = try await send(outgoing)          // the caller's HTTP client
///     exchange.receive(response)
/// }
/// let verdict = exchange.verdict!
/// ```
public struct BrowserExchange: Sendable {
    /// What happens next.
    public enum Step: Sendable, Hashable {
        /// Send this request and feed its response to ``BrowserExchange/receive(_:)``.
        case send(OutgoingRequest)
        /// The exchange is over.
        case finished(BrowserVerdict)
    }

    /// The current step.
    public private(set) var step: Step

    private let request: BrowserRequest
    private var pageOrigin: String
    private var initialURL: BrowserURL?
    private var currentURL: BrowserURL?
    private var analysis: RequestAnalysis?
    private var corsFlag = false
    private var tainted = false
    private var redirects: [String] = []
    private var warnings: [String] = []
    private var preflights: [PreflightInfo] = []

    /// Starts the exchange for a page's request.
    public init(_ request: BrowserRequest) {
        self.request = request
        self.pageOrigin = request.origin
        self.step = .send(
            OutgoingRequest(kind: .actual, url: "", method: "", headerFields: [:], includeCredentials: false))
        start()
    }

    /// The request to send now, or `nil` when finished.
    public var nextRequest: OutgoingRequest? {
        if case .send(let outgoing) = step { return outgoing }
        return nil
    }

    /// The final verdict, or `nil` while requests remain to be sent.
    public var verdict: BrowserVerdict? {
        if case .finished(let verdict) = step { return verdict }
        return nil
    }

    /// Feeds the response to ``nextRequest``. Ignored once finished.
    public mutating func receive(_ response: BrowserResponse) {
        guard case .send(let outgoing) = step else { return }
        switch outgoing.kind {
        case .preflight: receivePreflight(response, for: outgoing.preflight!)
        case .actual: receiveActual(response)
        }
    }

    /// Runs a whole exchange, calling `respond` for each request to send.
    public static func evaluate(
        _ request: BrowserRequest,
        respond: (OutgoingRequest) async throws -> BrowserResponse
    ) async rethrows -> BrowserVerdict {
        var exchange = BrowserExchange(request)
        while let outgoing = exchange.nextRequest {
            exchange.receive(try await respond(outgoing))
        }
        return exchange.verdict!
    }

    /// Runs a whole exchange synchronously, calling `respond` for each request to send.
    public static func evaluate(
        _ request: BrowserRequest,
        respond: (OutgoingRequest) throws -> BrowserResponse
    ) rethrows -> BrowserVerdict {
        var exchange = BrowserExchange(request)
        while let outgoing = exchange.nextRequest {
            exchange.receive(try respond(outgoing))
        }
        return exchange.verdict!
    }

    // MARK: - Steps

    private mutating func start() {
        if request.origin != "null" {
            if let parsed = BrowserURL(request.origin), parsed.isHTTP {
                pageOrigin = parsed.origin
                if pageOrigin != request.origin {
                    warnings.append(
                        "The origin '\(request.origin)' is not serialized as a browser sends it; using '\(pageOrigin)'."
                    )
                }
            } else {
                warnings.append(
                    "The origin '\(request.origin)' is not a serialized http(s) origin; it is used as given.")
            }
        }
        guard let url = BrowserURL(request.url) else {
            return finish(requestError: RequestError("Failed to parse URL from \(request.url)"))
        }
        guard url.userinfo == nil else {
            return finish(
                requestError: RequestError("Request cannot be constructed from a URL that includes credentials: \(url)")
            )
        }
        initialURL = url
        currentURL = url
        do {
            let analysis = try RequestAnalysis(method: request.method, headers: request.headers)
            self.analysis = analysis
            warnings += analysis.notes
        } catch {
            return finish(requestError: error)
        }
        guard url.isHTTP else {
            if isSameOrigin(url) {
                return finishNetworkError("net::ERR_UNKNOWN_URL_SCHEME", fix: "Use an http: or https: URL.")
            }
            return fail(CORSFailure(.corsDisabledScheme, fix: "Use an http: or https: URL; CORS only fetches those."))
        }
        startFetch()
    }

    private mutating func startFetch() {
        guard let url = currentURL, let analysis else { return }
        if !isSameOrigin(url) { corsFlag = true }
        if corsFlag && (analysis.needsPreflight || request.privateNetwork) {
            let preflight = PreflightRequest(
                url: url.description,
                origin: effectiveOrigin,
                analysis: analysis,
                privateNetwork: request.privateNetwork
            )
            step = .send(
                OutgoingRequest(
                    kind: .preflight,
                    url: preflight.url,
                    method: preflight.method,
                    headerFields: preflight.headerFields,
                    includeCredentials: false,
                    preflight: preflight
                )
            )
        } else {
            step = .send(actualRequest(url: url, analysis: analysis))
        }
    }

    private func actualRequest(url: BrowserURL, analysis: RequestAnalysis) -> OutgoingRequest {
        var fields = HTTPFields()
        for header in analysis.headers {
            if let name = HTTPField.Name(header.name) {
                fields.append(HTTPField(name: name, value: header.value))
            }
        }
        if corsFlag || (analysis.method != "GET" && analysis.method != "HEAD") {
            fields.append(HTTPField(name: .origin, value: effectiveOrigin))
        }
        return OutgoingRequest(
            kind: .actual,
            url: url.description,
            method: analysis.method,
            headerFields: fields,
            includeCredentials: request.credentials,
            preflight: nil
        )
    }

    private mutating func receivePreflight(_ response: BrowserResponse, for preflight: PreflightRequest) {
        guard let analysis, let url = currentURL else { return }
        let outcome = PreflightCheck.check(
            response,
            for: analysis,
            origin: effectiveOrigin,
            credentials: request.credentials,
            privateNetwork: request.privateNetwork,
            addressSpace: request.targetAddressSpace
        )
        switch outcome {
        case .failure(let failure):
            preflights.append(PreflightInfo(request: preflight, status: response.status, result: nil))
            fail(failure)
        case .success(let result):
            preflights.append(PreflightInfo(request: preflight, status: response.status, result: result))
            warnings += result.warnings
            step = .send(actualRequest(url: url, analysis: analysis))
        }
    }

    private mutating func receiveActual(_ response: BrowserResponse) {
        let fields = response.headerFields
        if response.isRedirect {
            return followRedirect(response)
        }
        if corsFlag {
            if let failure = FetchCORSCheck.check(fields, origin: effectiveOrigin, credentials: request.credentials) {
                return fail(failure)
            }
            if !request.credentials && fields[.accessControlAllowOrigin] == "*"
                && fields[.accessControlAllowCredentials] == "true"
            {
                warnings.append(
                    "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` only works without"
                        + " credentials: a credentialed request is refused (WildcardOriginNotAllowed)."
                )
            }
            warnings += ExposedHeaders.warnings(in: fields, credentials: request.credentials)
            finishAllowed(
                exposed: ExposedHeaders.readable(in: fields, credentials: request.credentials),
                summary: "Allowed: the response passes the CORS check for origin '\(effectiveOrigin)'."
            )
        } else {
            finishAllowed(
                exposed: ExposedHeaders.readableSameOrigin(in: fields),
                summary: "Allowed: same-origin request, CORS does not apply."
            )
        }
    }

    private mutating func followRedirect(_ response: BrowserResponse) {
        guard let url = currentURL, var analysis else { return }
        if corsFlag,
            let failure = FetchCORSCheck.check(
                response.headerFields, origin: effectiveOrigin, credentials: request.credentials)
        {
            var failure = failure
            failure.fix += " Redirect responses are CORS-checked before they are followed."
            return fail(failure)
        }
        guard redirects.count < RedirectPolicy.maximumRedirects else {
            return finishNetworkError(
                "net::ERR_TOO_MANY_REDIRECTS",
                fix: "Redirect at most 20 times (better: point the page at the final URL)."
            )
        }
        guard let location = url.resolving(response.location ?? "") else {
            return finishNetworkError("net::ERR_INVALID_REDIRECT", fix: "Send a valid URL in Location.")
        }
        guard location.isHTTP else {
            return fail(CORSFailure(.corsDisabledScheme, fix: "Redirect to an http: or https: URL only."))
        }
        if location.userinfo != nil && (tainted || !isSameOrigin(location)) {
            return fail(
                CORSFailure(
                    .redirectContainsCredentials,
                    failedParameter: location.description,
                    fix: "Remove the user:password@ part from the Location URL."
                )
            )
        }
        let crossOriginHop = url.origin != location.origin
        if crossOriginHop && !isSameOrigin(url) && !tainted {
            tainted = true
            warnings.append(
                "The redirect from '\(url)' to '\(location)' crosses origins from a cross-origin URL: the request's"
                    + " origin is now tainted and later requests send `Origin: null` (the server must allow `null` or `*`)."
            )
        }
        var headers = analysis.headers
        var notes: [String] = []
        if crossOriginHop {
            let removed = headers.filter { RedirectPolicy.crossOriginRemovedHeaderNames.contains($0.lowercasedName) }
            if !removed.isEmpty {
                headers.removeAll { RedirectPolicy.crossOriginRemovedHeaderNames.contains($0.lowercasedName) }
                notes.append("Authorization is removed on the cross-origin redirect to '\(location)'.")
            }
        }
        let method = RedirectPolicy.method(afterRedirect: response.status, from: analysis.method)
        if method != analysis.method {
            headers.removeAll { RedirectPolicy.requestBodyHeaderNames.contains($0.lowercasedName) }
            notes.append("The \(response.status) redirect turns \(analysis.method) into \(method) and drops the body.")
        }
        warnings += notes
        analysis = RequestAnalysis(method: method, keptHeaders: headers, notes: notes)
        self.analysis = analysis
        redirects.append(location.description)
        currentURL = location
        startFetch()
    }

    // MARK: - Endings

    private mutating func fail(_ failure: CORSFailure) {
        let url = currentURL?.description ?? request.url
        let message = failure.code.consoleMessage(
            url: url,
            redirectedFrom: redirects.isEmpty ? nil : initialURL?.description,
            origin: pageOrigin,
            failedParameter: failure.failedParameter,
            addressSpace: failure.addressSpace
        )
        step = .finished(
            verdict(
                allowed: false, reason: failure.code, failedParameter: failure.failedParameter, message: message,
                fix: failure.fix)
        )
    }

    private mutating func finishAllowed(exposed: [String], summary: String) {
        var verdict = verdict(allowed: true, reason: nil, failedParameter: nil, message: summary, fix: "")
        verdict.exposedHeaders = exposed
        step = .finished(verdict)
    }

    private mutating func finishNetworkError(_ error: String, fix: String) {
        let url = currentURL?.description ?? request.url
        step = .finished(
            verdict(
                allowed: false, reason: nil, failedParameter: nil, message: "GET \(url) net::ERR_FAILED: \(error)",
                fix: fix)
        )
    }

    private mutating func finish(requestError: RequestError) {
        var verdict = verdict(
            allowed: false,
            reason: nil,
            failedParameter: nil,
            message: requestError.description,
            fix: "fetch() rejects this request before sending it; change the page's request."
        )
        verdict.requestError = requestError
        step = .finished(verdict)
    }

    private func verdict(
        allowed: Bool,
        reason: CORSErrorCode?,
        failedParameter: String?,
        message: String,
        fix: String
    ) -> BrowserVerdict {
        BrowserVerdict(
            allowed: allowed,
            preflight: preflights.last,
            preflights: preflights,
            reason: reason,
            failedParameter: failedParameter,
            message: message,
            fix: fix,
            exposedHeaders: [],
            warnings: warnings,
            cacheLifetimes: preflights.last?.result?.cacheLifetimes,
            finalURL: currentURL?.description ?? request.url,
            redirects: redirects,
            requestError: nil
        )
    }

    // MARK: - Origins

    /// The origin sent and checked: the page's, or `null` once tainted.
    private var effectiveOrigin: String { tainted ? "null" : pageOrigin }

    private func isSameOrigin(_ url: BrowserURL) -> Bool {
        pageOrigin != "null" && url.origin == pageOrigin
    }
}
