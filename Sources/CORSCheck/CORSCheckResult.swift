#if Tools
public import CORSBrowser

/// What `cors check` found: every exchange, the browser's verdict, and how to fix a block.
public struct CORSCheckResult: Sendable, Hashable {
    /// The page's request that was checked.
    public var request: BrowserRequest
    /// Each request sent (preflights, redirect hops, the actual request) with its response.
    public var exchanges: [RecordedExchange]
    /// The browser model's verdict (Chromium's code, console text, fix, exposed headers, warnings).
    public var verdict: BrowserVerdict
    /// The server-side change that makes the request pass, with snippets; `nil` when allowed or
    /// when no server configuration can help (too many redirects, a tainted redirect chain).
    public var serverFix: ServerFix?

    /// Creates a result.
    public init(request: BrowserRequest, exchanges: [RecordedExchange], verdict: BrowserVerdict, serverFix: ServerFix?)
    {
        self.request = request
        self.exchanges = exchanges
        self.verdict = verdict
        self.serverFix = serverFix
    }

    /// Whether a browser lets the page read the response.
    public var allowed: Bool { verdict.allowed }
}
#endif
