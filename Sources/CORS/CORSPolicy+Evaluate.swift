import CORSSyntax
public import HTTPTypes

extension CORSPolicy {
    /// The outcome of ``evaluate(method:path:headerFields:)``: a decision, or an origin only the
    /// async ``CORSConfiguration/originPredicate`` can judge.
    public enum Evaluation: Sendable {
        /// Decided without waiting: the decision is final.
        case decided(CORSDecision)
        /// The origin is one no static rule allows and the policy has an origin predicate:
        /// ``PendingOriginCheck/resolve()`` asks it and finishes the decision.
        case needsOriginPredicate(PendingOriginCheck)
    }

    /// Classifies a request (not CORS, actual, preflight) and decides it, synchronously.
    ///
    /// `path` is the request target (a query is ignored) and selects the route policy, matched as
    /// servers resolve it; a path whose meaning depends on the server is answered 400 when that
    /// changes the route (``CORSRejection/Reason/ambiguousPath``, ``CORSRejection/Reason/malformedPath``).
    public func evaluate(method: HTTPRequest.Method, path: String?, headerFields: HTTPFields) -> Evaluation {
        switch policy(forPath: path) {
        case .policy(let compiled):
            return Self.evaluate(compiled, method: method, fields: headerFields, predicateAnswer: nil)
        case .refused(let rejection):
            return .decided(refusingPath(rejection, method: method, fields: headerFields))
        }
    }

    /// 400 without CORS fields, for a path that can't be trusted to select a route.
    private func refusingPath(_ rejection: CORSRejection, method: HTTPRequest.Method, fields: HTTPFields)
        -> CORSDecision
    {
        let request = CORSRequestFields(fields)
        let kind: CORSDecision.Kind =
            request.origin == nil
            ? .notCORS : (method == .options && request.requestMethodCount > 0 ? .preflight : .actual)
        return CORSDecision(
            kind: kind, immediateStatus: .badRequest, rejection: rejection, policy: root, request: fields, parts: [])
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
        let request = CORSRequestFields(fields)
        let isOptions = method == .options
        let varyPart: CORSDecision.Parts = isOptions ? .varyPreflight : .varyActual
        guard let origin = request.origin else {
            // Fetch, "CORS protocol and HTTP caches": a `*` resource carries `ACAO: *` on every
            // response, so one a cache stored for a plain request still serves a later fetch().
            let parts = p.origins.allowsAnyOrigin ? varyPart.union([.anyOrigin, .exposeHeaders]) : varyPart
            return .decided(CORSDecision(kind: .notCORS, policy: p, request: fields, parts: parts))
        }
        // Several fields read as one list, as `HTTPFields`' subscript joins them (never a token then).
        let requestMethod =
            isOptions
            ? (request.requestMethodCount > 1 ? fields[.accessControlRequestMethod] : request.requestMethod) : nil

        var originRejection: CORSRejection?
        if request.originCount > 1 {
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
        var granted: CORSDecision.Parts = p.origins.allowsAnyOrigin ? .anyOrigin : .originFromRequest
        if p.credentials { granted.insert(.credentials) }

        guard let requestMethod else {
            if let originRejection {
                return .decided(
                    CORSDecision(kind: .actual, rejection: originRejection, policy: p, request: fields, parts: varyPart)
                )
            }
            return .decided(
                CORSDecision(
                    kind: .actual, policy: p, request: fields, parts: granted.union([.exposeHeaders, varyPart]),
                    originIndex: request.originIndex))
        }

        if let originRejection {
            return .decided(preflightFailure(p, originRejection, fields, request, granted: nil))
        }
        var methodBytes = requestMethod
        let methodVerdict: CORSRejection.Reason? = methodBytes.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.allSatisfy(HTTPSyntax.isTokenByte) else { return .malformedRequestMethod }
            return p.methods.allows(bytes) ? nil : .methodNotAllowed
        }
        if let methodVerdict {
            return .decided(
                preflightFailure(
                    p, CORSRejection(methodVerdict, value: requestMethod[...]), fields, request, granted: granted))
        }
        switch RequestHeaderScan.scan(fields, request, against: p.headers) {
        case .absent: break
        case .allowed: granted.insert(.allowHeaders)
        case .refused(let rejection):
            return .decided(preflightFailure(p, rejection, fields, request, granted: granted))
        }
        // `HTTPFields`' subscript would join several fields: only a single `true` field asks.
        if p.privateNetwork && request.privateNetworkCount == 1 && request.privateNetwork == "true" {
            granted.insert(.privateNetwork)
        }
        // The requested method, echoed byte for byte (docs/PEERS.md §6: `ACAM: PURGE`); `*` stays `*`.
        // (A single field here: several would have been refused as malformed.)
        granted.insert(p.methods.allowsAnyMethod ? .policyMethods : .echoedMethod)
        return .decided(
            CORSDecision(
                kind: .preflight, immediateStatus: p.preflightContinue ? nil : p.successStatus, policy: p,
                request: fields, parts: granted.union([.maxAge, .varyPreflight]), originIndex: request.originIndex,
                methodIndex: request.requestMethodIndex))
    }

    /// A refused preflight: 403 without CORS headers, or, in debug mode and for an allowed origin,
    /// a 2xx carrying the allowed lists so the browser's console names what was refused.
    /// The names in `Access-Control-Request-Headers`, lowercased (only on the debug path: it allocates).
    private static func requestedHeaderNames(_ fields: HTTPFields) -> [String] {
        fields[values: .accessControlRequestHeaders].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
    }

    private static func preflightFailure(
        _ p: CompiledPolicy, _ rejection: CORSRejection, _ fields: HTTPFields, _ request: CORSRequestFields,
        granted: CORSDecision.Parts?
    ) -> CORSDecision {
        if p.preflightContinue {
            return CORSDecision(
                kind: .preflight, rejection: rejection, policy: p, request: fields, parts: .varyPreflight)
        }
        if p.debug, let granted {
            var debugAllowHeaders: String?
            if rejection.reason == .authorizationNotCoveredByWildcard {
                // Chromium lets `*` cover Authorization, so echoing `*` here would let the request through.
                // List what was asked for minus Authorization: the console then names `authorization`.
                debugAllowHeaders = requestedHeaderNames(fields).filter { $0 != "authorization" }.joined(separator: ",")
            }
            return CORSDecision(
                kind: .preflight, immediateStatus: p.successStatus, rejection: rejection, policy: p, request: fields,
                parts: granted.union([.policyMethods, .allowHeaders, .varyPreflight]), originIndex: request.originIndex,
                debugAllowHeaders: debugAllowHeaders)
        }
        return CORSDecision(
            kind: .preflight, immediateStatus: .forbidden, rejection: rejection, policy: p, request: fields,
            parts: .varyPreflight)
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
