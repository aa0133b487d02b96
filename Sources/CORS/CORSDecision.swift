public import HTTPTypes

/// What the policy says about one request: answer it now, or let the handler answer and then
/// edit the response's header fields.
///
/// The policy owns the CORS response headers: ``apply(to:)`` removes every `Access-Control-*`
/// field a handler or upstream set before adding its own, so a response never carries two.
public struct CORSDecision: Sendable {
    public enum Kind: Sendable, Equatable {
        /// No `Origin`: not a CORS request (still gets `Vary`).
        case notCORS
        /// A CORS request the handler answers (`OPTIONS` without `Access-Control-Request-Method` included).
        case actual
        /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
        case preflight
    }

    public let kind: Kind
    /// Set when the middleware must answer itself with an empty body (preflights); nil to call the handler.
    public let immediateStatus: HTTPResponse.Status?
    /// Why the request got no CORS permission; nil when it got it (or was not a CORS request).
    public let rejection: CORSRejection?

    let allowOrigin: String?
    let allowCredentials: Bool
    let exposeHeaders: String?
    let allowMethods: String?
    let allowHeaders: String?
    let maxAge: String?
    let allowPrivateNetwork: Bool
    let vary: String?

    init(
        kind: Kind, immediateStatus: HTTPResponse.Status? = nil, rejection: CORSRejection? = nil,
        allowOrigin: String? = nil, allowCredentials: Bool = false, exposeHeaders: String? = nil,
        allowMethods: String? = nil, allowHeaders: String? = nil, maxAge: String? = nil,
        allowPrivateNetwork: Bool = false, vary: String?
    ) {
        self.kind = kind
        self.immediateStatus = immediateStatus
        self.rejection = rejection
        self.allowOrigin = allowOrigin
        self.allowCredentials = allowCredentials
        self.exposeHeaders = exposeHeaders
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.maxAge = maxAge
        self.allowPrivateNetwork = allowPrivateNetwork
        self.vary = vary
    }

    /// The request was granted CORS access (false for non-CORS requests and refusals).
    public var isAllowed: Bool { allowOrigin != nil && rejection == nil }

    /// Replaces the response's CORS fields with the policy's and merges `Vary`.
    public func apply(to fields: inout HTTPFields) {
        if fields.contains(where: { Self.isAccessControlField($0.name) }) {
            fields.removeAll { Self.isAccessControlField($0.name) }
        }
        if let allowOrigin { fields.append(HTTPField(name: .accessControlAllowOrigin, value: allowOrigin)) }
        if allowCredentials { fields.append(HTTPField(name: .accessControlAllowCredentials, value: "true")) }
        if let exposeHeaders { fields.append(HTTPField(name: .accessControlExposeHeaders, value: exposeHeaders)) }
        if let allowMethods { fields.append(HTTPField(name: .accessControlAllowMethods, value: allowMethods)) }
        if let allowHeaders { fields.append(HTTPField(name: .accessControlAllowHeaders, value: allowHeaders)) }
        if let maxAge { fields.append(HTTPField(name: .accessControlMaxAge, value: maxAge)) }
        if allowPrivateNetwork { fields.append(HTTPField(name: .accessControlAllowPrivateNetwork, value: "true")) }
        if let vary { VaryField.merge(vary, into: &fields) }
    }

    /// The header fields of the answer when ``immediateStatus`` is set: CORS fields, `Vary`,
    /// and `Content-Length: 0`.
    public var immediateResponseFields: HTTPFields {
        var fields = HTTPFields()
        apply(to: &fields)
        fields[.contentLength] = "0"
        return fields
    }

    /// The whole immediate answer, when there is one.
    public var immediateResponse: HTTPResponse? {
        immediateStatus.map { HTTPResponse(status: $0, headerFields: immediateResponseFields) }
    }

    @inline(__always)
    static func isAccessControlField(_ name: HTTPField.Name) -> Bool {
        name.canonicalName.utf8.starts(with: "access-control-".utf8)
    }
}

extension HTTPField.Name {
    /// https://wicg.github.io/private-network-access/#headers
    public static let accessControlAllowPrivateNetwork = HTTPField.Name("Access-Control-Allow-Private-Network")!
    public static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
}
