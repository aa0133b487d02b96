#if Tools
public import HTTPTypes

/// What to audit and how hard: the `cors audit` options.
public struct AuditOptions: Sendable {
    /// The absolute http(s) URL of the resource to probe.
    public var url: String
    /// The site's own origin (`https://app.example.com`): the baseline's `Origin`, and the HOST
    /// and scheme of the probe origins. `nil`: the target URL's origin.
    public var trustedOrigin: String?
    /// More paths to probe on the same server (`/api/me`), resolved against ``url``.
    public var paths: [String]
    /// Header fields added to every simple request (cookies, tokens). Never to preflights: a
    /// browser sends no credentials on a preflight.
    public var headerFields: HTTPFields
    /// The most requests one run sends, redirects included (default: 60 per URL probed, enough
    /// for every probe).
    public var budget: Int
    /// Requests per second at most; `nil` for no limit.
    public var rate: Double?
    /// How long one request may take.
    public var timeout: Duration
    /// Same-site redirects followed per path by the baseline request.
    public var maxRedirects: Int
    /// The method that probe preflights ask for (`Access-Control-Request-Method`).
    public var preflightMethod: String
    /// The headers that probe preflights ask for (`Access-Control-Request-Headers`).
    public var preflightHeaders: [String]

    /// Creates options with the defaults of `cors audit`.
    public init(
        url: String,
        trustedOrigin: String? = nil,
        paths: [String] = [],
        headerFields: HTTPFields = [:],
        budget: Int? = nil,
        rate: Double? = 10,
        timeout: Duration = .seconds(10),
        maxRedirects: Int = 5,
        preflightMethod: String = "PUT",
        preflightHeaders: [String] = ["content-type"]
    ) {
        self.url = url
        self.trustedOrigin = trustedOrigin
        self.paths = paths
        self.headerFields = headerFields
        self.budget = budget ?? 60 * (1 + paths.count)
        self.rate = rate
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        self.preflightMethod = preflightMethod
        self.preflightHeaders = preflightHeaders
    }
}
#endif
