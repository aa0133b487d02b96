import HTTPTypes

/// One validated policy (the top level or one route) with every header value precomputed.
final class CompiledPolicy: Sendable {
    let origins: OriginMatcher
    let credentials: Bool
    let methods: MethodRule
    let headers: HeaderRule
    let privateNetwork: Bool
    let preflightContinue: Bool
    let successStatus: HTTPResponse.Status
    let debug: Bool
    /// `Vary` for responses other than to OPTIONS: nil when the answer never depends on Origin.
    let varyActual: String?
    /// `Vary` for responses to OPTIONS, preflight or not (a cache must not mix them up).
    let varyPreflight: String

    // The response fields, built (and validated) once.
    let exposeHeadersField: HTTPField?
    let allowMethodsField: HTTPField?
    let allowHeadersField: HTTPField?
    let maxAgeField: HTTPField?
    let varyActualField: HTTPField?
    let varyPreflightField: HTTPField
    static let allowAnyOriginField = HTTPField(name: .accessControlAllowOrigin, value: "*")
    /// The static fields of every response that is not to a preflight (``CORSDecision/apply(to:)``'s
    /// fast path), one list per combination of the decision's parts.
    let actualFields: ActualResponseFields

    init(
        origins: OriginMatcher, credentials: Bool, methods: MethodRule, headers: HeaderRule,
        allowMethodsValue: String?, allowHeadersValue: String?, exposeHeadersValue: String?, maxAgeValue: String?,
        privateNetwork: Bool, preflightContinue: Bool, successStatus: HTTPResponse.Status, debug: Bool
    ) {
        self.origins = origins
        self.credentials = credentials
        self.methods = methods
        self.headers = headers
        self.privateNetwork = privateNetwork
        self.preflightContinue = preflightContinue
        self.successStatus = successStatus
        self.debug = debug
        self.varyActual = origins.isStatic ? nil : "Origin"
        self.varyPreflight =
            privateNetwork
            ? "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"
            : "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        self.exposeHeadersField = exposeHeadersValue.map { HTTPField(name: .accessControlExposeHeaders, value: $0) }
        self.allowMethodsField = allowMethodsValue.map { HTTPField(name: .accessControlAllowMethods, value: $0) }
        self.allowHeadersField = allowHeadersValue.map { HTTPField(name: .accessControlAllowHeaders, value: $0) }
        self.maxAgeField = maxAgeValue.map { HTTPField(name: .accessControlMaxAge, value: $0) }
        self.varyActualField = varyActual.map { HTTPField(name: .vary, value: $0) }
        self.varyPreflightField = HTTPField(name: .vary, value: varyPreflight)
        self.actualFields = ActualResponseFields(
            exposeHeaders: exposeHeadersField, vary: varyActualField,
            allowCredentials: CORSDecision.allowCredentialsField, allowAnyOrigin: Self.allowAnyOriginField)
    }
}
