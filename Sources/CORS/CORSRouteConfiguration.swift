/// A per-path override of a ``CORSConfiguration``.
///
/// `path` is a pattern of `/`-separated segments: `*` matches one segment, `**` any number
/// (also none); other segments match literally, percent-decoded. A request is matched on its path
/// as servers resolve it: escapes decoded, dot segments removed, empty segments skipped; one whose
/// readings differ between servers (`;parameters`, `%2F`, `\`) and select different routes is
/// refused (``CORSRejection/Reason/ambiguousPath``). Fields left `nil` inherit the top level's.
public struct CORSRouteConfiguration: Sendable {
    public var path: String
    public var origins: [String]?
    public var originPredicate: CORSOriginPredicate?
    public var allowNullOrigin: Bool?
    public var methods: [String]?
    public var allowedHeaders: [String]?
    public var exposedHeaders: [String]?
    public var credentials: Bool?
    public var maxAge: Int?
    public var privateNetwork: Bool?
    public var preflightContinue: Bool?
    public var optionsSuccessStatus: Int?
    public var debug: Bool?

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
