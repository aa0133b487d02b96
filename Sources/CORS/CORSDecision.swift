public import HTTPTypes

/// What the policy says about one request: answer it now, or let the handler answer and then
/// edit the response's header fields.
///
/// The policy owns the CORS response headers: ``apply(to:)`` removes every `Access-Control-*`
/// field a handler or upstream set before adding its own, so a response never carries two.
public struct CORSDecision: Sendable {
    /// The kinds of request the Fetch standard's CORS protocol tells apart.
    public enum Kind: Sendable, Equatable {
        /// No `Origin`: not a CORS request (still gets `Vary`).
        case notCORS
        /// A CORS request the handler answers (`OPTIONS` without `Access-Control-Request-Method` included).
        case actual
        /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
        case preflight
    }

    /// What kind of request the decision is about: not CORS, an actual CORS request, or a preflight.
    public let kind: Kind
    /// Set when the middleware must answer itself with an empty body (preflights); nil to call the handler.
    public let immediateStatus: HTTPResponse.Status?
    /// Why the request got no CORS permission; nil when it got it (or was not a CORS request).
    public let rejection: CORSRejection?

    /// The policy the decision came from: its response fields are built (and validated) once.
    let policy: CompiledPolicy
    /// The request's fields: `Access-Control-Allow-Origin` and an echoed `Access-Control-Allow-Methods`
    /// are its `Origin` and `Access-Control-Request-Method` fields renamed, so no value is validated
    /// or copied again. (A reference: the decision stays small.)
    let request: HTTPFields
    let parts: Parts
    let originIndex: Int32
    let methodIndex: Int32
    /// Debug mode only: the `Access-Control-Allow-Headers` value that names what was refused.
    let debugAllowHeaders: String?

    /// Which response fields the decision adds.
    struct Parts: OptionSet, Sendable {
        let rawValue: UInt16
        static let originFromRequest = Parts(rawValue: 1 << 0)
        static let anyOrigin = Parts(rawValue: 1 << 1)
        static let credentials = Parts(rawValue: 1 << 2)
        static let exposeHeaders = Parts(rawValue: 1 << 3)
        static let echoedMethod = Parts(rawValue: 1 << 4)
        static let policyMethods = Parts(rawValue: 1 << 5)
        static let allowHeaders = Parts(rawValue: 1 << 6)
        static let maxAge = Parts(rawValue: 1 << 7)
        static let privateNetwork = Parts(rawValue: 1 << 8)
        static let varyActual = Parts(rawValue: 1 << 9)
        static let varyPreflight = Parts(rawValue: 1 << 10)
        static let allowOrigin: Parts = [.originFromRequest, .anyOrigin]
        /// The parts only a preflight's answer has.
        static let preflightOnly: Parts = [
            .echoedMethod, .policyMethods, .allowHeaders, .maxAge, .privateNetwork, .varyPreflight,
        ]
    }

    init(
        kind: Kind, immediateStatus: HTTPResponse.Status? = nil, rejection: CORSRejection? = nil,
        policy: CompiledPolicy, request: HTTPFields, parts: Parts, originIndex: Int = 0, methodIndex: Int = 0,
        debugAllowHeaders: String? = nil
    ) {
        self.kind = kind
        self.immediateStatus = immediateStatus
        self.rejection = rejection
        self.policy = policy
        self.request = request
        self.parts = parts
        self.originIndex = Int32(truncatingIfNeeded: originIndex)
        self.methodIndex = Int32(truncatingIfNeeded: methodIndex)
        self.debugAllowHeaders = debugAllowHeaders
    }

    /// The request was granted CORS access (false for non-CORS requests and refusals).
    public var isAllowed: Bool { kind != .notCORS && !parts.isDisjoint(with: .allowOrigin) && rejection == nil }

    /// Replaces the response's CORS fields with the policy's and merges `Vary`.
    public func apply(to fields: inout HTTPFields) {
        var hasVary = false
        var hasAccessControl = false
        for index in fields.indices {
            let name = fields[index].name.canonicalName
            let count = name.utf8.count
            if count == 4 {
                if name == "vary" { hasVary = true }
            } else if count >= 15, Self.isAccessControlName(name) {
                hasAccessControl = true
            }
        }
        if hasAccessControl {
            fields.removeAll { Self.isAccessControlField($0.name) }
        }
        let p = policy
        if parts.isDisjoint(with: .preflightOnly), debugAllowHeaders == nil {
            // Every answer but a preflight's: the request's origin, then one precomputed list.
            let list = p.actualFields.list(for: parts, appendVary: !hasVary)
            let fromRequest = parts.contains(.originFromRequest)
            let appended = list.count + (fromRequest ? 1 : 0)
            // One allocation at most: a handler's fields are often shared (copy on write) or full.
            if appended > 0 { fields.reserveCapacity(fields.count + appended) }
            if fromRequest {
                fields.append(CORSRequestFields.renamed(request, at: Int(originIndex), to: .accessControlAllowOrigin))
            }
            for field in list { fields.append(field) }
            if hasVary, parts.contains(.varyActual), let vary = p.varyActual {
                VaryField.merge(vary, into: &fields)
            }
            return
        }
        fields.reserveCapacity(fields.count + parts.rawValue.nonzeroBitCount + (debugAllowHeaders == nil ? 0 : 1))
        forEachNonVaryField { fields.append($0) }
        if parts.contains(.varyPreflight) {
            if hasVary {
                VaryField.merge(p.varyPreflight, into: &fields)
            } else {
                fields.append(p.varyPreflightField)
            }
        } else if parts.contains(.varyActual), let vary = p.varyActual {
            if hasVary {
                VaryField.merge(vary, into: &fields)
            } else if let field = p.varyActualField {
                fields.append(field)
            }
        }
    }

    /// Calls `body` with each field ``apply(to:)`` adds to a response that has no CORS fields
    /// and no `Vary` of its own, in the same order: what an adapter needs to write them straight
    /// into its own header type, without building `HTTPFields` first.
    public func forEachField(_ body: (HTTPField) -> Void) {
        forEachNonVaryField(body)
        if parts.contains(.varyPreflight) {
            body(policy.varyPreflightField)
        } else if parts.contains(.varyActual), policy.varyActual != nil, let field = policy.varyActualField {
            body(field)
        }
    }

    /// The CORS fields of this decision, `Vary` aside.
    private func forEachNonVaryField(_ body: (HTTPField) -> Void) {
        let p = policy
        if parts.contains(.anyOrigin) {
            body(CompiledPolicy.allowAnyOriginField)
        } else if parts.contains(.originFromRequest) {
            body(CORSRequestFields.renamed(request, at: Int(originIndex), to: .accessControlAllowOrigin))
        }
        if parts.contains(.credentials) { body(Self.allowCredentialsField) }
        if parts.contains(.exposeHeaders), let field = p.exposeHeadersField { body(field) }
        if parts.contains(.echoedMethod) {
            body(CORSRequestFields.renamed(request, at: Int(methodIndex), to: .accessControlAllowMethods))
        } else if parts.contains(.policyMethods), let field = p.allowMethodsField {
            body(field)
        }
        if let debugAllowHeaders {
            body(HTTPField(name: .accessControlAllowHeaders, value: debugAllowHeaders))
        } else if parts.contains(.allowHeaders), let field = p.allowHeadersField {
            body(field)
        }
        if parts.contains(.maxAge), let field = p.maxAgeField { body(field) }
        if parts.contains(.privateNetwork) { body(Self.allowPrivateNetworkField) }
    }

    static let allowCredentialsField = HTTPField(name: .accessControlAllowCredentials, value: "true")
    static let allowPrivateNetworkField = HTTPField(name: .accessControlAllowPrivateNetwork, value: "true")

    /// The header fields of the answer when ``immediateStatus`` is set: CORS fields, `Vary`,
    /// and `Content-Length: 0` unless the status is 204, which HTTP forbids to carry one
    /// (RFC 9110 §8.6).
    public var immediateResponseFields: HTTPFields {
        var fields = HTTPFields()
        apply(to: &fields)
        if immediateStatus != .noContent { fields[.contentLength] = "0" }
        return fields
    }

    /// The whole immediate answer, when there is one.
    public var immediateResponse: HTTPResponse? {
        immediateStatus.map { HTTPResponse(status: $0, headerFields: immediateResponseFields) }
    }

    @inline(__always)
    static func isAccessControlField(_ name: HTTPField.Name) -> Bool {
        isAccessControlName(name.canonicalName)
    }

    /// Whether a canonical (lowercased) name starts with `access-control-`.
    @inline(__always)
    static func isAccessControlName(_ canonicalName: String) -> Bool {
        guard canonicalName.utf8.count >= 15 else { return false }
        var name = canonicalName
        return name.withUTF8 { bytes in
            let prefix: StaticString = "access-control-"
            return memcmpEqual(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount)
        }
    }

    @inline(__always)
    private static func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }
}

extension HTTPField.Name {
    /// `Access-Control-Allow-Private-Network`: `true` grants a preflight's private network request
    /// (https://wicg.github.io/private-network-access/#headers).
    public static let accessControlAllowPrivateNetwork = HTTPField.Name("Access-Control-Allow-Private-Network")!
    /// `Access-Control-Request-Private-Network`: `true` in a preflight for a request to a more private
    /// network (Private Network Access); granted only with `CORSConfiguration.privateNetwork`.
    public static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
}
