/// One preflight the browser sent, and what came of it.
public struct PreflightInfo: Sendable, Hashable {
    /// The preflight request as sent.
    public var request: PreflightRequest
    /// The status of the preflight response.
    public var status: Int
    /// What the preflight allowed, when it passed.
    public var result: PreflightResult?
}

/// The final answer of the browser model: would a browser let the page read the response, and
/// if not, what Chromium reports and what the server must change.
public struct BrowserVerdict: Sendable, Hashable {
    /// Whether the page can read the response.
    public var allowed: Bool
    /// The last preflight sent, or `nil` when none was needed.
    public var preflight: PreflightInfo?
    /// Every preflight sent (one per URL when redirects were followed).
    public var preflights: [PreflightInfo]
    /// Chromium's `Network.CorsError`, or `nil` when allowed or when the failure is not a CORS
    /// error (a `TypeError` before sending, or a network error such as too many redirects).
    public var reason: CORSErrorCode?
    /// CDP's `corsErrorStatus.failedParameter` for a CORS failure (possibly `""`), else `nil`.
    public var failedParameter: String?
    /// The console line Chromium logs for a failure; a one-line summary when allowed.
    public var message: String
    /// What the server (or page) must change; `""` when allowed.
    public var fix: String
    /// Lowercased names of the response headers the page can read, sorted.
    public var exposedHeaders: [String]
    /// Non-fatal findings: spec/browser differences, dropped headers, cache caps.
    public var warnings: [String]
    /// Preflight cache lifetimes of the last passed preflight, per engine.
    public var cacheLifetimes: PreflightCacheLifetimes?
    /// The URL of the last request sent.
    public var finalURL: String
    /// The URLs redirected to, in order.
    public var redirects: [String]
    /// The `TypeError` `fetch()` throws before sending anything, if that is the outcome.
    public var requestError: RequestError?
}
