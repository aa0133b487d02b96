#if Tools
public import CORSBrowser
import HTTPTypes

/// Performs, over the network, the exchange a browser would for a page's `fetch()`: the
/// preflight when one is needed, the actual request, each redirect hop (checked and followed by
/// `BrowserExchange`, never by the HTTP client), and returns every exchange with
/// the verdict.
///
/// ```swift
/// let result = try await CORSHTTPClient.withClient { client in
///     try await CORSChecker(client: client).check(
///         BrowserRequest(url: "https://api.example.com/items", origin: "https://app.example.com", method: "PUT"))
/// }
/// print(result.verdict.reason?.rawValue ?? "allowed")
/// ```
public struct CORSChecker: Sendable {
    /// The client the requests go through.
    public let client: CORSHTTPClient

    /// Creates a checker sending through `client`.
    public init(client: CORSHTTPClient) {
        self.client = client
    }

    /// Checks `request` against the live server.
    ///
    /// - Throws: ``CORSCheckError`` when the URL or origin is invalid, when `fetch()` would refuse
    ///   the request before sending it (``CORSCheckError/Kind/invalidRequest``), or when the
    ///   network fails. A blocked request is not an error: see ``CORSCheckResult/allowed``.
    public func check(_ request: BrowserRequest) async throws(CORSCheckError) -> CORSCheckResult {
        try Self.validate(request)
        var exchange = BrowserExchange(request)
        var records: [RecordedExchange] = []
        while let outgoing = exchange.nextRequest {
            var fields = outgoing.headerFields
            if outgoing.kind == .actual && !fields.contains(.accept) {
                // fetch() sends `Accept: */*` unless the page set one.
                fields.insert(HTTPField(name: .accept, value: "*/*"), at: 0)
            }
            let response = try await client.send(method: outgoing.method, url: outgoing.url, headers: fields)
            records.append(
                RecordedExchange(
                    kind: outgoing.kind,
                    method: outgoing.method,
                    url: outgoing.url,
                    requestHeaderFields: fields,
                    response: response
                )
            )
            exchange.receive(BrowserResponse(status: response.status, headerFields: response.headerFields))
        }
        guard let verdict = exchange.verdict else {
            throw CORSCheckError(.other, "The browser model stopped without a verdict.")
        }
        if let requestError = verdict.requestError {
            throw CORSCheckError(.invalidRequest, "\(requestError)")
        }
        let fix = ServerFix(request: request, verdict: verdict, exchanges: records)
        return CORSCheckResult(request: request, exchanges: records, verdict: verdict, serverFix: fix)
    }

    /// Rejects what is not a page's request before anything is sent.
    static func validate(_ request: BrowserRequest) throws(CORSCheckError) {
        try CORSHTTPClient.validate(url: request.url)
        if request.origin != "null" {
            guard let origin = BrowserURL(request.origin), origin.isHTTP else {
                throw CORSCheckError(
                    .invalidOrigin,
                    "'\(request.origin)' is not an origin: give the page's scheme://host[:port],"
                        + " e.g. https://app.example.com or http://localhost:3000 (or null)."
                )
            }
        }
        do {
            _ = try RequestAnalysis(method: request.method, headers: request.headers)
        } catch {
            throw CORSCheckError(.invalidRequest, "\(error)")
        }
    }
}
#endif
