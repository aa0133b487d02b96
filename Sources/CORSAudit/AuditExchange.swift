#if Tools
/// One request the auditor sent and the response it got: a finding's evidence.
public struct AuditExchange: Sendable, Hashable {
    /// How the probe was sent.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A simple `GET` with `Origin`, as `fetch(url, {credentials: "include"})` sends it.
        public static let get = Kind(rawValue: "GET")
        /// An `OPTIONS` preflight with `Origin`, `Access-Control-Request-Method` and `-Headers`.
        public static let preflight = Kind(rawValue: "preflight")
    }

    /// GET or preflight.
    public var kind: Kind
    /// The request as sent.
    public var request: AuditRequest
    /// The response as received.
    public var response: AuditResponse

    /// Creates an exchange.
    public init(kind: Kind, request: AuditRequest, response: AuditResponse) {
        self.kind = kind
        self.request = request
        self.response = response
    }
}
#endif
