package import CORS
package import HTTPTypes
package import NIOHTTP1

/// What a NIO server does with a request head once the policy decided: answer it at once, or
/// pass it on and put the decision's fields on the response head.
package enum CORSHeadOutcome {
    /// An answer without a body: a preflight's, or 403 for a WebSocket upgrade from a refused origin.
    case answer(HTTPResponseStatus, HTTPHeaders)
    case forward(CORSDecision)
}

extension CORSPolicy {
    /// The one place both ``CORSChannelHandler`` and the gateway's inline path decide this.
    /// `viaPredicate`: `decision` came from the origin predicate (the WebSocket verdict then
    /// follows it rather than asking the predicate again).
    package func outcome(
        for head: HTTPRequestHead, fields: HTTPFields, decision: CORSDecision, viaPredicate: Bool
    ) -> CORSHeadOutcome {
        if head.method == .GET, head.headers.isWebSocketUpgrade {
            let allowed: Bool
            if viaPredicate {
                allowed = decision.rejection == nil
            } else {
                switch webSocketVerdict(path: head.uri, headerFields: fields) {
                case .allowed: allowed = true
                case .refused: allowed = false
                case .needsOriginPredicate: allowed = decision.rejection == nil
                }
            }
            if !allowed { return .answer(.forbidden, ["Content-Length": "0"]) }
        }
        if let status = decision.immediateStatus {
            var headers = HTTPHeaders()
            for field in decision.immediateResponseFields {
                // HTTP forbids Content-Length on a 204 (RFC 9110 §8.6).
                if status.code == 204, field.name == .contentLength { continue }
                headers.add(name: field.name.rawName, value: field.value)
            }
            return .answer(HTTPResponseStatus(statusCode: status.code), headers)
        }
        return .forward(decision)
    }
}
