public import CORS
public import Hummingbird
import Logging

/// Applies a ``CORS/CORSPolicy`` to a Hummingbird 2 router or route group.
///
/// ```swift
/// let router = Router()
/// router.add(middleware: try CORSHummingbirdMiddleware(CORSConfiguration(origins: ["https://app.example.com"])))
/// ```
/// Preflights are answered here (the handler is not called); other requests reach the handler and
/// their responses, including those of thrown errors, get the policy's CORS headers.
/// Named so it doesn't collide with Hummingbird's own `CORSMiddleware`.
public struct CORSHummingbirdMiddleware<Context: RequestContext>: RouterMiddleware {
    public let policy: CORSPolicy

    public init(_ policy: CORSPolicy) {
        self.policy = policy
    }

    /// Validates `configuration`; throws ``CORS/CORSConfigurationError`` naming every problem.
    public init(_ configuration: CORSConfiguration) throws(CORSConfigurationError) {
        self.policy = try CORSPolicy(configuration)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let decision: CORSDecision
        switch policy.evaluate(method: request.method, path: request.head.path, headerFields: request.headers) {
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
