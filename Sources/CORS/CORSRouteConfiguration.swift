/// A per-path override of a ``CORSConfiguration``.
///
/// `path` is a pattern of `/`-separated segments: `*` matches one segment, `**` any number
/// (also none); other segments match literally, percent-decoded. A request is matched on its path
/// as servers resolve it: escapes decoded, dot segments removed, empty segments skipped; one whose
/// readings differ between servers (`;parameters`, `%2F`, `\`) and select different routes is
/// refused (``CORSRejection/Reason/ambiguousPath``). Fields left `nil` inherit the top level's.
public struct CORSRouteConfiguration: Sendable {
    /// The pattern of the paths this route governs, e.g. `/api/*/items` or `/public/**`.
    public var path: String
    /// Replaces the top level's ``CORSConfiguration/origins``. A route that sets its own origins
    /// does not inherit the top level's origin predicate either.
    public var origins: [String]?
    /// Asked about origins the route's origins don't allow; `nil` inherits the top level's, unless
    /// the route sets its own ``origins``.
    public var originPredicate: CORSOriginPredicate?
    /// Overrides ``CORSConfiguration/allowNullOrigin``.
    public var allowNullOrigin: Bool?
    /// Replaces the top level's ``CORSConfiguration/methods``.
    public var methods: [String]?
    /// Replaces the top level's ``CORSConfiguration/allowedHeaders``.
    public var allowedHeaders: [String]?
    /// Replaces the top level's ``CORSConfiguration/exposedHeaders``.
    public var exposedHeaders: [String]?
    /// Overrides ``CORSConfiguration/credentials``.
    public var credentials: Bool?
    /// Overrides ``CORSConfiguration/maxAge`` (seconds); as `nil` inherits, write `0` to omit the header.
    public var maxAge: Int?
    /// Overrides ``CORSConfiguration/privateNetwork``.
    public var privateNetwork: Bool?
    /// Overrides ``CORSConfiguration/preflightContinue``.
    public var preflightContinue: Bool?
    /// Overrides ``CORSConfiguration/optionsSuccessStatus``.
    public var optionsSuccessStatus: Int?
    /// Overrides ``CORSConfiguration/debug``.
    public var debug: Bool?

    /// A route for the paths `path` matches: the fields given override the top level's, those left
    /// `nil` (the default for all of them) inherit it.
    ///
    /// - Parameters:
    ///   - path: The path pattern: `/`-separated segments, `*` for one segment, `**` for any number.
    ///   - origins: The route's allowed origins, in place of the top level's.
    ///   - originPredicate: Asked about origins the route's origins don't allow.
    ///   - allowNullOrigin: Whether `Origin: null` is allowed on this route.
    ///   - methods: The route's allowed methods, in place of the top level's.
    ///   - allowedHeaders: The route's allowed request headers, in place of the top level's.
    ///   - exposedHeaders: The route's exposed response headers, in place of the top level's.
    ///   - credentials: Whether the route's responses allow credentials.
    ///   - maxAge: The route's preflight cache lifetime in seconds (`0` omits the header).
    ///   - privateNetwork: Whether the route grants Private Network Access preflights.
    ///   - preflightContinue: Whether the route's preflights go on to the handler.
    ///   - optionsSuccessStatus: Status of the route's successful preflight answers (2xx).
    ///   - debug: Whether the route's failed preflights from allowed origins name what was refused.
    public init(
        path: String,
        origins: [String]? = nil,
        originPredicate: CORSOriginPredicate? = nil,
        allowNullOrigin: Bool? = nil,
        methods: [String]? = nil,
        allowedHeaders: [String]? = nil,
        exposedHeaders: [String]? = nil,
        credentials: Bool? = nil,
        maxAge: Int? = nil,
        privateNetwork: Bool? = nil,
        preflightContinue: Bool? = nil,
        optionsSuccessStatus: Int? = nil,
        debug: Bool? = nil
    ) {
        self.path = path
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
    }
}
