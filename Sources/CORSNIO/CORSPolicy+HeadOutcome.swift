#if NIO
package import CORS
import HTTPTypes
package import NIOHTTP1

/// What a NIO server does with a request head once the policy decided: answer it at once, or
/// pass it on and put the decision's fields on the response head.
package enum CORSHeadOutcome {
    /// An answer without a body: a preflight's, or 403 for a WebSocket upgrade from a refused
    /// origin; with the reason when the policy refused the request.
    case answer(HTTPResponseStatus, HTTPHeaders, refused: CORSRejection?)
    case forward(CORSDecision)

    /// Why the policy refused the request, if it did.
    package var rejection: CORSRejection? {
        switch self {
        case .answer(_, _, let refused): refused
        case .forward(let decision): decision.rejection
        }
    }
}

/// The policy's answer to a NIO request head: decided, or waiting for the origin predicate.
package enum CORSHeadEvaluation {
    case decided(CORSHeadOutcome)
    case needsOriginPredicate(PendingHeadOutcome)
}

/// A head whose decision waits for the async origin predicate. Resolving asks it once: its answer
/// decides a WebSocket upgrade and the response's CORS fields alike.
package struct PendingHeadOutcome: Sendable {
    let pending: PendingOriginCheck
    let isWebSocketUpgrade: Bool

    package func resolve() async -> CORSHeadOutcome {
        CORSPolicy.outcome(decision: await pending.resolve(), isWebSocketUpgrade: isWebSocketUpgrade)
    }
}

extension CORSPolicy {
    /// The one entry point of every NIO-based adapter (``CORSNIOChannelHandler``, the gateway,
    /// the Vapor middleware): the request's fields and method converted once, the policy asked,
    /// the WebSocket rule applied.
    package func evaluate(method: HTTPMethod, uri: String?, headers: HTTPHeaders) -> CORSHeadEvaluation {
        let fields = headers.corsRequestFields
        let isWebSocketUpgrade = method == .GET && headers.isWebSocketUpgrade
        switch evaluate(method: HTTPRequest.Method(method.rawValue) ?? .get, path: uri, headerFields: fields) {
        case .decided(let decision):
            return .decided(Self.outcome(decision: decision, isWebSocketUpgrade: isWebSocketUpgrade))
        case .needsOriginPredicate(let pending):
            return .needsOriginPredicate(PendingHeadOutcome(pending: pending, isWebSocketUpgrade: isWebSocketUpgrade))
        }
    }

    package func evaluate(head: HTTPRequestHead) -> CORSHeadEvaluation {
        evaluate(method: head.method, uri: head.uri, headers: head.headers)
    }

    static func outcome(decision: CORSDecision, isWebSocketUpgrade: Bool) -> CORSHeadOutcome {
        if isWebSocketUpgrade, let refusal = decision.webSocketRefusal {
            return .answer(.forbidden, ["Content-Length": "0"], refused: refusal)
        }
        if let status = decision.immediateStatus {
            var headers = HTTPHeaders()
            for field in decision.immediateResponseFields { headers.add(name: field.name.rawName, value: field.value) }
            return .answer(HTTPResponseStatus(statusCode: status.code), headers, refused: decision.rejection)
        }
        return .forward(decision)
    }
}
#endif
