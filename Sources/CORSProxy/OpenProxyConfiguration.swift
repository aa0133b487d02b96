#if Tools
public import NIOCore

/// What `cors proxy` does and refuses. The defaults are safe: non-public targets refused, bodies
/// and headers bounded, five redirects, thirty seconds.
public struct OpenProxyConfiguration: Sendable {
    /// Decides which targets may be fetched (SSRF guard).
    public var targetGuard: SSRFGuard
    /// When not empty, only these origins may use the proxy (403 otherwise, and for a request
    /// without Origin).
    public var allowedOrigins: Set<String>
    /// These origins may never use the proxy (403).
    public var deniedOrigins: Set<String>
    /// Passes on request fields whose names have `_` (dropped by default, as nginx does: a WSGI or
    /// CGI upstream reads `X_Real_IP` as `X-Real-IP`).
    public var keepsUnderscoreHeaders = false
    /// Requests per origin and per client address (each has this budget); nil: no limit.
    public var rateLimit: RateLimit?
    /// Largest request body and largest upstream response body, in bytes.
    public var maxBodyBytes: Int
    /// Largest total size of the request's header fields (names and values), in bytes.
    public var maxHeaderBytes: Int
    /// How many 301/302/303 redirects are followed before the last one is handed to the page.
    public var maxRedirects: Int
    /// The whole exchange with the upstream, redirects included.
    public var timeout: Duration
    /// `Access-Control-Max-Age` for the locally answered preflights; nil: not sent.
    public var preflightMaxAge: Int?
    /// How long a client connection may stay silent between requests.
    public var clientIdleTimeout: TimeAmount = .seconds(75)
    /// How long a request's header fields may take from its first byte (nginx's
    /// `client_header_timeout`): a slower client gets 408 and the connection closes.
    public var headerTimeout: TimeAmount = .seconds(30)

    /// Creates a configuration; every default is the safe one.
    ///
    /// - Parameters:
    ///   - targetGuard: which targets may be fetched; by default public addresses only, resolved by the system.
    ///   - allowedOrigins: when not empty, the only origins that may use the proxy (a request without `Origin`
    ///     is refused too); empty by default.
    ///   - deniedOrigins: origins refused with 403; empty by default.
    ///   - rateLimit: the budget of each origin and each client address; `nil` (the default) sets no limit.
    ///   - maxBodyBytes: the largest request body and upstream response body, in bytes; 10 MiB by default.
    ///   - maxHeaderBytes: the largest total size of the request's header fields, in bytes; 64 KiB by default.
    ///   - maxRedirects: how many 301/302/303 redirects are followed; 5 by default.
    ///   - timeout: the time allowed for the whole upstream exchange, redirects included; 30 seconds by default.
    ///   - preflightMaxAge: the `Access-Control-Max-Age` of answered preflights, in seconds; `nil` (the default)
    ///     sends none.
    public init(
        targetGuard: SSRFGuard = SSRFGuard(),
        allowedOrigins: Set<String> = [],
        deniedOrigins: Set<String> = [],
        rateLimit: RateLimit? = nil,
        maxBodyBytes: Int = 10 * 1024 * 1024,
        maxHeaderBytes: Int = 64 * 1024,
        maxRedirects: Int = 5,
        timeout: Duration = .seconds(30),
        preflightMaxAge: Int? = nil
    ) {
        self.targetGuard = targetGuard
        self.allowedOrigins = allowedOrigins
        self.deniedOrigins = deniedOrigins
        self.rateLimit = rateLimit
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRedirects = maxRedirects
        self.timeout = timeout
        self.preflightMaxAge = preflightMaxAge
    }
}
#endif
