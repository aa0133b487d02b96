#if Hummingbird
public import CORS
public import Hummingbird
import Logging

/// Applies a `CORSPolicy` to a Hummingbird 2 router or route group.
///
/// ```swift
/// let router = Router()
/// router.add(middleware: try CORSHummingbirdMiddleware(CORSConfiguration(origins: ["https://app.example.com"])))
/// ```
/// Preflights are answered here (the handler is not called); other requests reach the handler and
/// their responses, including those of thrown errors, get the policy's CORS headers.
/// Named so it doesn't collide with Hummingbird's own `CORSMiddleware`.
///
/// Made with a `CORSPolicyHolder`, it decides each request by the policy the holder holds when
/// the request arrives, so the policy can be replaced without rebuilding the router.
public struct CORSHummingbirdMiddleware<Context: RequestContext>: RouterMiddleware {
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

    /// Decides the request and, when the decision has an immediate status (a preflight, unless
    /// `preflightContinue`; `400` for a path that can't be trusted to pick a route), answers it
    /// without calling `next`. Otherwise the response `next` returns gets the decision's CORS fields,
    /// and an error it throws is rethrown wrapped, so the response made from it gets them too.
    /// Refusals are logged to `context.logger` at debug level.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // Read once: a replacement while this request is in flight does not change its decision.
        let current = source.box
        let decision: CORSDecision
        switch current.policy.evaluate(method: request.method, path: request.head.path, headerFields: request.headers) {
        case .decided(let decided): decision = decided
        case .needsOriginPredicate(let pending): decision = await pending.resolve()
        }
        decision.logRejection(to: context.logger)
        if let status = decision.immediateStatus {
            return Response(status: status, headers: decision.immediateResponseFields, body: .init())
        }
        do {
            var response = try await next(request, context)
            decision.apply(to: &response.headers)
            return response
        } catch {
            throw CORSDecoratedError(original: error, decision: decision)
        }
    }
}

/// The name before the adapters were named alike (`CORSHummingbirdMiddleware`, `CORSVaporMiddleware`,
/// `CORSNIOChannelHandler`).
@available(*, deprecated, renamed: "CORSHummingbirdMiddleware")
public typealias CORSPolicyMiddleware<Context: RequestContext> = CORSHummingbirdMiddleware<Context>
#endif
