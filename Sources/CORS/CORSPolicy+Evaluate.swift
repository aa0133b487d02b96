public import HTTPTypes

extension CORSPolicy {
    /// The outcome of ``evaluate(method:path:headerFields:)``: a decision, or an origin only the
    /// async ``CORSConfiguration/originPredicate`` can judge.
    public enum Evaluation: Sendable {
        case decided(CORSDecision)
        case needsOriginPredicate(PendingOriginCheck)
    }

    /// Classifies a request (not CORS, actual, preflight) and decides it, synchronously.
    ///
    /// `path` is the request target (a query is ignored) and selects the route policy.
    public func evaluate(method: HTTPRequest.Method, path: String?, headerFields: HTTPFields) -> Evaluation {
        let compiled = policy(forPath: path)
        return Self.evaluate(compiled, method: method, fields: headerFields, predicateAnswer: nil)
    }

    /// Decides a request, asking the origin predicate when the static rules can't tell.
    public func decide(method: HTTPRequest.Method, path: String?, headerFields: HTTPFields) async -> CORSDecision {
        switch evaluate(method: method, path: path, headerFields: headerFields) {
        case .decided(let decision): decision
        case .needsOriginPredicate(let pending): await pending.resolve()
        }
    }

    /// Decides a request described by swift-http-types.
    public func decide(_ request: HTTPRequest) async -> CORSDecision {
        await decide(method: request.method, path: request.path, headerFields: request.headerFields)
    }

    static func evaluate(
        _ p: CompiledPolicy, method: HTTPRequest.Method, fields: HTTPFields, predicateAnswer: Bool?
    ) -> Evaluation {
        var origin: String?
        var originCount = 0
        for field in fields where field.name == .origin {
            originCount += 1
            if originCount == 1 { origin = field.value }
        }
        let isOptions = method == .options
        guard let origin else {
            return .decided(CORSDecision(kind: .notCORS, vary: isOptions ? p.varyPreflight : p.varyActual))
        }
        let requestMethod = isOptions ? fields[.accessControlRequestMethod] : nil

        var originRejection: CORSRejection?
        if originCount > 1 {
            originRejection = CORSRejection(.multipleOriginHeaders, value: origin[...])
        } else {
            switch p.origins.match(origin) {
            case .allowed:
                break
            case .refused(let reason):
                originRejection = CORSRejection(reason, value: origin[...])
            case .askPredicate:
                guard let predicateAnswer else {
                    return .needsOriginPredicate(
                        PendingOriginCheck(policy: p, method: method, fields: fields, origin: origin))
                }
                if !predicateAnswer { originRejection = CORSRejection(.originNotAllowed, value: origin[...]) }
            }
        }
        let allowOrigin = p.origins.allowsAnyOrigin ? "*" : origin

        guard let requestMethod else {
            let vary = isOptions ? p.varyPreflight : p.varyActual
            if let originRejection {
                return .decided(CORSDecision(kind: .actual, rejection: originRejection, vary: vary))
            }
            return .decided(
                CORSDecision(
                    kind: .actual, allowOrigin: allowOrigin, allowCredentials: p.credentials,
                    exposeHeaders: p.exposeHeadersValue, vary: vary))
        }

        if let originRejection {
            return .decided(preflightFailure(p, originRejection, allowOrigin: nil))
        }
        let methodName = requestMethod[...]
        guard HTTPToken.isToken(methodName) else {
            return .decided(
                preflightFailure(p, CORSRejection(.malformedRequestMethod, value: methodName), allowOrigin: allowOrigin)
            )
        }
        guard p.methods.allows(methodName) else {
            return .decided(
                preflightFailure(p, CORSRejection(.methodNotAllowed, value: methodName), allowOrigin: allowOrigin))
        }
        var asksForHeaders = false
        switch RequestHeaderScan.scan(fields, against: p.headers) {
        case .absent: break
        case .allowed: asksForHeaders = true
        case .refused(let rejection):
            return .decided(preflightFailure(p, rejection, allowOrigin: allowOrigin, fields: fields))
        }
        let asksForPrivateNetwork = p.privateNetwork && fields[.accessControlRequestPrivateNetwork] == "true"
        // The requested method, echoed byte for byte (PEERS.md §6: `ACAM: PURGE`); `*` stays `*`.
        let allowMethods = p.methods.allowsAnyMethod ? p.allowMethodsValue : requestMethod
        return .decided(
            CORSDecision(
                kind: .preflight, immediateStatus: p.preflightContinue ? nil : p.successStatus,
                allowOrigin: allowOrigin, allowCredentials: p.credentials, allowMethods: allowMethods,
                allowHeaders: asksForHeaders ? p.allowHeadersValue : nil, maxAge: p.maxAgeValue,
                allowPrivateNetwork: asksForPrivateNetwork, vary: p.varyPreflight))
    }

    /// A refused preflight: 403 without CORS headers, or, in debug mode and for an allowed origin,
    /// a 2xx carrying the allowed lists so the browser's console names what was refused.
    /// The names in `Access-Control-Request-Headers`, lowercased (only on the debug path: it allocates).
    private static func requestedHeaderNames(_ fields: HTTPFields) -> [String] {
        fields[values: .accessControlRequestHeaders].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
    }

    private static func preflightFailure(
        _ p: CompiledPolicy, _ rejection: CORSRejection, allowOrigin: String?, fields: HTTPFields? = nil
    ) -> CORSDecision {
        if p.preflightContinue {
            return CORSDecision(kind: .preflight, rejection: rejection, vary: p.varyPreflight)
        }
        if p.debug, let allowOrigin {
            var allowHeaders = p.allowHeadersValue
            if rejection.reason == .authorizationNotCoveredByWildcard, let fields {
                // Chromium lets `*` cover Authorization, so echoing `*` here would let the request through.
                // List what was asked for minus Authorization: the console then names `authorization`.
                allowHeaders = requestedHeaderNames(fields).filter { $0 != "authorization" }.joined(separator: ",")
            }
            return CORSDecision(
                kind: .preflight, immediateStatus: p.successStatus, rejection: rejection, allowOrigin: allowOrigin,
                allowCredentials: p.credentials, allowMethods: p.allowMethodsValue, allowHeaders: allowHeaders,
                vary: p.varyPreflight)
        }
        return CORSDecision(kind: .preflight, immediateStatus: .forbidden, rejection: rejection, vary: p.varyPreflight)
    }
}

/// An origin that only the policy's async predicate can judge; ``resolve()`` finishes the decision.
public struct PendingOriginCheck: Sendable {
    let policy: CompiledPolicy
    let method: HTTPRequest.Method
    let fields: HTTPFields
    /// The origin to judge.
    public let origin: String

    /// Asks the predicate and decides.
    public func resolve() async -> CORSDecision {
        let allowed = await policy.origins.predicate?(origin) ?? false
        return resolve(originAllowed: allowed)
    }

    /// Decides with an answer obtained elsewhere (e.g. on an event loop).
    public func resolve(originAllowed: Bool) -> CORSDecision {
        guard
            case .decided(let decision) = CORSPolicy.evaluate(
                policy, method: method, fields: fields, predicateAnswer: originAllowed)
        else { preconditionFailure("an answered predicate always decides") }
        return decision
    }
}
