/// What a CORS policy allows, as the user writes it (Express `cors`-like names).
///
/// A configuration is only a description: ``CORSPolicy/init(_:)`` validates it once and
/// precomputes every header value, throwing ``CORSConfigurationError`` when it is unsafe or wrong.
public struct CORSConfiguration: Sendable {
    /// Allowed origins: `"*"` (any origin), exact origins (`https://app.example.com`),
    /// patterns (`https://*.example.com`, `http://localhost:*`, `https://*.example.com:*`)
    /// and regexes (`regex:^https://pr-[0-9]+\.example\.com$`, always matched against the whole origin).
    public var origins: [String]
    /// Consulted for origins that none of ``origins`` allow; for origins kept elsewhere (a database).
    public var originPredicate: CORSOriginPredicate?
    /// Allows the opaque origin `null` (sandboxed iframes, `data:` URLs): off unless opted in.
    public var allowNullOrigin: Bool
    /// Allowed methods, compared byte for byte; `"*"` allows any (only without credentials).
    public var methods: [String]
    /// Allowed request headers, compared case-insensitively; `"*"` allows any but `Authorization`
    /// (only without credentials).
    public var allowedHeaders: [String]
    /// Response headers the page may read; `"*"` exposes all (only without credentials).
    public var exposedHeaders: [String]
    /// Sends `Access-Control-Allow-Credentials: true` (cookies, client certificates, HTTP auth).
    public var credentials: Bool
    /// `Access-Control-Max-Age` in seconds; `nil` or `0` omits it, `-1` disables caching.
    public var maxAge: Int?
    /// Answers Private Network Access preflights (`Access-Control-Allow-Private-Network: true`).
    public var privateNetwork: Bool
    /// Passes preflights on to the handler instead of answering them (as Express does); only allowed
    /// ones get CORS fields, so a refused one still fails in the browser.
    public var preflightContinue: Bool
    /// Status of a successful preflight answer (204, or 200 for old clients).
    public var optionsSuccessStatus: Int
    /// Failed preflights from an allowed origin get a 2xx with the allowed lists, so the browser's
    /// console names the refused method or header. Refused origins still get 403.
    public var debug: Bool
    /// Route patterns match paths ignoring ASCII case (`/ADMIN/x` takes an `/admin/**` route), for
    /// servers that fold case (Windows and macOS file systems, IIS). Top level only.
    public var caseInsensitivePaths: Bool
    /// Per-path overrides, first match wins; fields left `nil` inherit from this configuration.
    public var routes: [CORSRouteConfiguration]

    /// The methods allowed when none are given (Express `cors` defaults, less OPTIONS).
    public static let defaultMethods = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]

    /// Describes a policy; nothing is checked until ``CORSPolicy/init(_:)``. With the defaults no
    /// origin is allowed (a ``CORSConfigurationProblem/Kind/noOriginAllowed`` warning), credentials are
    /// off and successful preflights are answered 204.
    ///
    /// - Parameters:
    ///   - origins: Allowed origins: `"*"`, exact origins, `*.` and `:*` patterns, `regex:` entries.
    ///   - originPredicate: Asked about origins that none of `origins` allow; `nil` refuses them.
    ///   - allowNullOrigin: Whether `Origin: null` is allowed.
    ///   - methods: Allowed methods, compared byte for byte; GET, HEAD and POST always pass a preflight.
    ///   - allowedHeaders: Request headers a preflight may ask for, compared case-insensitively.
    ///   - exposedHeaders: Response headers the page may read.
    ///   - credentials: Whether responses carry `Access-Control-Allow-Credentials: true`.
    ///   - maxAge: Preflight cache lifetime in seconds, -1…86400: `nil` or `0` omits the header, `-1` sends `0`.
    ///   - privateNetwork: Whether Private Network Access preflights are granted.
    ///   - preflightContinue: Whether preflights go on to the handler instead of being answered.
    ///   - optionsSuccessStatus: Status of a successful preflight answer; must be 2xx.
    ///   - debug: Whether a failed preflight from an allowed origin gets a 2xx naming what was refused.
    ///   - caseInsensitivePaths: Whether route patterns match paths ignoring ASCII case.
    ///   - routes: Per-path overrides, tried in order; the first that matches wins.
    public init(
        origins: [String] = [],
        originPredicate: CORSOriginPredicate? = nil,
        allowNullOrigin: Bool = false,
        methods: [String] = CORSConfiguration.defaultMethods,
        allowedHeaders: [String] = [],
        exposedHeaders: [String] = [],
        credentials: Bool = false,
        maxAge: Int? = nil,
        privateNetwork: Bool = false,
        preflightContinue: Bool = false,
        optionsSuccessStatus: Int = 204,
        debug: Bool = false,
        caseInsensitivePaths: Bool = false,
        routes: [CORSRouteConfiguration] = []
    ) {
        self.origins = origins
        self.originPredicate = originPredicate
        self.allowNullOrigin = allowNullOrigin
        self.methods = methods
        self.allowedHeaders = allowedHeaders
        self.exposedHeaders = exposedHeaders
        self.credentials = credentials
        self.maxAge = maxAge
        self.privateNetwork = privateNetwork
        self.preflightContinue = preflightContinue
        self.optionsSuccessStatus = optionsSuccessStatus
        self.debug = debug
        self.caseInsensitivePaths = caseInsensitivePaths
        self.routes = routes
    }

    /// What `cors serve` uses without a policy file: what a front-end on a local dev server needs.
    public static let development = CORSConfiguration(
        origins: ["http://localhost:*", "http://127.0.0.1:*"],
        methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allowedHeaders: ["*", "Authorization"],
        exposedHeaders: ["*"],
        credentials: false
    )
}

/// Decides origins that the static lists don't; must be fast and must not trust the origin blindly.
public typealias CORSOriginPredicate = @Sendable (_ origin: String) async -> Bool
