#if Vapor
public import CORS
import CORSNIO
public import Vapor

/// Applies a `CORSPolicy` to a Vapor 4 application or route group.
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
/// an async `CORSConfiguration/originPredicate` has to be asked.
///
/// Made with a `CORSPolicyHolder`, it decides each request by the policy the holder holds when
/// the request arrives, so the policy can be replaced while the application runs.
public struct CORSVaporMiddleware: Middleware {
    private let source: PolicyReference

    /// The policy a request arriving now is decided by.
    public var policy: CORSPolicy { source.box.policy }

    /// Applies a policy already built (to share it with other adapters, or to read its warnings first).
    public init(_ policy: CORSPolicy) {
        self.source = PolicyReference(policy)
    }

    /// Applies whatever policy `holder` holds when each request arrives.
    public init(_ holder: CORSPolicyHolder) {
        self.source = PolicyReference(holder)
    }

    /// Validates `configuration`; throws `CORSConfigurationError` naming every problem.
    public init(_ configuration: CORSConfiguration) throws(CORSConfigurationError) {
        self.source = PolicyReference(try CORSPolicy(configuration))
    }

    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // Read once: a replacement while this request is in flight does not change its decision.
        let current = source.box
        // `request.url.string` is rebuilt by Foundation on every call: only a policy with routes needs it.
        let uri = current.policy.readsPath ? request.url.string : nil
        switch current.policy.evaluate(method: request.method, uri: uri, headers: request.headers) {
        case .decided(let outcome):
            return respond(to: request, outcome: outcome, next: next)
        case .needsOriginPredicate(let pending):
            // Asked once: its answer decides a WebSocket upgrade and the response's fields alike
            // (a predicate may hit a database).
            let outcome = request.eventLoop.makePromise(of: CORSHeadOutcome.self)
            outcome.completeWithTask { await pending.resolve() }
            return outcome.futureResult.flatMap { self.respond(to: request, outcome: $0, next: next) }
        }
    }

    private func respond(to request: Request, outcome: CORSHeadOutcome, next: any Responder)
        -> EventLoopFuture<Response>
    {
        outcome.rejection?.log(to: request.logger)
        switch outcome {
        case .answer(let status, let headers, _):
            return request.eventLoop.makeSucceededFuture(Response(status: status, headers: headers))
        case .forward(let decision):
            // One promise and one callback for both outcomes (`map` then `flatMapErrorThrowing`
            // made two of each per request).
            let answered = request.eventLoop.makePromise(of: Response.self)
            next.respond(to: request).whenComplete { result in
                switch result {
                case .success(let response):
                    response.headers.apply(decision)
                    answered.succeed(response)
                case .failure(let error):
                    answered.fail(
                        CORSDecoratedAbort(
                            original: error, decision: decision, isRelease: request.application.environment.isRelease))
                }
            }
            return answered.futureResult
        }
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
#endif
