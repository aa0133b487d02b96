public import HTTPTypes

/// WebSocket handshakes are not protected by CORS: a browser opens a socket to any site and only
/// sends `Origin`, so a server that accepts every upgrade lets any page act with the user's
/// cookies (cross-site WebSocket hijacking). The same policy that guards fetches guards upgrades.
/// https://www.rfc-editor.org/rfc/rfc6455#section-10.2
extension CORSPolicy {
    /// What the policy says about one WebSocket upgrade request.
    public enum WebSocketVerdict: Sendable {
        /// No `Origin` (not a browser), or an origin the policy allows.
        case allowed
        /// A browser origin the policy refuses: answer 403 and do not upgrade.
        case refused(CORSRejection)
        /// Only the async ``CORSConfiguration/originPredicate`` can tell.
        case needsOriginPredicate(PendingOriginCheck)
    }

    /// Judges a WebSocket upgrade synchronously: a browser `Origin` the policy refuses is refused;
    /// a request without `Origin` (not a browser) is allowed; `null` is allowed only with
    /// ``CORSConfiguration/allowNullOrigin`` (even when the origins are `*`).
    ///
    /// `path` selects the route policy, as for ``evaluate(method:path:headerFields:)``; a path
    /// that can't be trusted to select one is refused, with or without `Origin`.
    public func webSocketVerdict(path: String? = nil, headerFields: HTTPFields) -> WebSocketVerdict {
        let compiled: CompiledPolicy
        switch policy(forPath: path) {
        case .policy(let routed): compiled = routed
        case .refused(let rejection): return .refused(rejection)
        }
        // `*` answers `null` with a static `*` for fetches, harmless there; a socket has no such
        // protection, so `null` always needs the explicit opt-in.
        if !compiled.origins.allowsNullOrigin, headerFields[.origin] == "null" {
            return .refused(CORSRejection(.nullOriginNotAllowed, value: "null"))
        }
        switch Self.evaluate(compiled, method: .get, fields: headerFields, predicateAnswer: nil) {
        case .decided(let decision):
            return decision.webSocketRefusal.map { .refused($0) } ?? .allowed
        case .needsOriginPredicate(let pending):
            return .needsOriginPredicate(pending)
        }
    }

    /// Whether a WebSocket upgrade may proceed, asking the origin predicate when needed.
    public func webSocketUpgradeAllowed(path: String? = nil, headerFields: HTTPFields) async -> Bool {
        switch webSocketVerdict(path: path, headerFields: headerFields) {
        case .allowed: true
        case .refused: false
        case .needsOriginPredicate(let pending): await pending.resolve().isAllowed
        }
    }
}

extension CORSDecision {
    /// Why a WebSocket upgrade carrying this decision's request must be refused (403); nil when it
    /// may proceed. The rule of ``CORSPolicy/webSocketVerdict(path:headerFields:)``, read from the
    /// decision already made for the `GET`: no second evaluation, no second question to an origin
    /// predicate.
    public var webSocketRefusal: CORSRejection? {
        if let rejection, rejection.reason == .ambiguousPath || rejection.reason == .malformedPath {
            return rejection
        }
        guard kind != .notCORS else { return nil }
        // `*` answers `null` with a static `*` for fetches, harmless there; a socket has no such
        // protection, so `null` always needs the explicit opt-in.
        if !policy.origins.allowsNullOrigin, request[.origin] == "null" {
            return CORSRejection(.nullOriginNotAllowed, value: "null")
        }
        return rejection
    }
}
