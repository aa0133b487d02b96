public import CORS
import CORSNIO
import HTTPTypes
public import Vapor

/// Applies a ``CORS/CORSPolicy`` to a Vapor 4 application or route group.
///
/// Register it outermost, so that every response — including those Vapor's `ErrorMiddleware`
/// makes from thrown errors — carries the policy's headers:
/// ```swift
/// app.middleware.use(try CORSVaporMiddleware(CORSConfiguration(origins: ["https://app.example.com"])),
///                    at: .beginning)
/// ```
/// Registered after `ErrorMiddleware` (plain `app.middleware.use(cors)`) it works too: a thrown
/// error is rethrown as an `AbortError` carrying the CORS headers, which `ErrorMiddleware` copies.
///
/// Preflights are answered here (the handler is not called). A WebSocket upgrade from a browser
/// origin the policy refuses gets 403 and is not upgraded. Named so it doesn't collide with
/// `Vapor.CORSMiddleware`.
///
/// A future-based `Middleware`: the policy decides on the event loop, without a `Task`, unless
/// an async ``CORS/CORSConfiguration/originPredicate`` has to be asked.
public struct CORSVaporMiddleware: Middleware {
    public let policy: CORSPolicy

    public init(_ policy: CORSPolicy) {
        self.policy = policy
    }

    /// Validates `configuration`; throws ``CORS/CORSConfigurationError`` naming every problem.
    public init(_ configuration: CORSConfiguration) throws(CORSConfigurationError) {
        self.policy = try CORSPolicy(configuration)
    }

    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let fields = request.headers.corsRequestFields
        let target = request.url.string
        if request.method == .GET, request.headers.isWebSocketUpgrade {
            switch policy.webSocketVerdict(path: target, headerFields: fields) {
            case .allowed:
                break
            case .refused:
                return request.eventLoop.makeSucceededFuture(Self.refuseWebSocket(request))
            case .needsOriginPredicate(let pending):
                let allowed = request.eventLoop.makePromise(of: Bool.self)
                allowed.completeWithTask { await pending.resolve().isAllowed }
                return allowed.futureResult.flatMap { allowed in
                    guard allowed else { return request.eventLoop.makeSucceededFuture(Self.refuseWebSocket(request)) }
                    return self.evaluate(request, fields: fields, target: target, next: next)
                }
            }
        }
        return evaluate(request, fields: fields, target: target, next: next)
    }

    private func evaluate(
        _ request: Request, fields: HTTPFields, target: String, next: any Responder
    ) -> EventLoopFuture<Response> {
        let method = HTTPRequest.Method(request.method.rawValue) ?? .get
        switch policy.evaluate(method: method, path: target, headerFields: fields) {
        case .decided(let decision):
            return respond(to: request, decision: decision, next: next)
        case .needsOriginPredicate(let pending):
            let decision = request.eventLoop.makePromise(of: CORSDecision.self)
            decision.completeWithTask { await pending.resolve() }
            return decision.futureResult.flatMap { self.respond(to: request, decision: $0, next: next) }
        }
    }

    private func respond(to request: Request, decision: CORSDecision, next: any Responder) -> EventLoopFuture<Response>
    {
        if let rejection = decision.rejection {
            request.logger.debug(
                "CORS refused",
                metadata: ["cors.reason": "\(rejection.reason.rawValue)", "cors.detail": "\(rejection)"])
        }
        if let status = decision.immediateStatus {
            var headers = HTTPHeaders()
            for field in decision.immediateResponseFields { headers.add(name: field.name.rawName, value: field.value) }
            return request.eventLoop.makeSucceededFuture(
                Response(status: HTTPResponseStatus(statusCode: status.code), headers: headers))
        }
        return next.respond(to: request)
            .map { response in
                response.headers.apply(decision)
                return response
            }
            .flatMapErrorThrowing { error in
                throw CORSDecoratedAbort(
                    original: error, decision: decision, isRelease: request.application.environment.isRelease)
            }
    }

    private static func refuseWebSocket(_ request: Request) -> Response {
        request.logger.debug("CORS refused a WebSocket upgrade", metadata: ["cors.reason": "origin"])
        return Response(status: .forbidden, headers: ["Content-Length": "0"])
    }
}

extension RoutesBuilder {
    /// A route group behind `cors`. Route-group middleware only runs for matched routes, so this also
    /// registers catch-all `OPTIONS` routes in the group: preflights reach the middleware. An
    /// `OPTIONS` that is not a preflight still gets 404 unless you register your own route.
    public func grouped(cors: CORSVaporMiddleware) -> any RoutesBuilder {
        let group = grouped(cors)
        let notFound: @Sendable (Request) async throws -> Response = { _ in throw Abort(.notFound) }
        group.on(.OPTIONS, [], use: notFound)
        group.on(.OPTIONS, [.catchall], use: notFound)
        return group
    }
}
