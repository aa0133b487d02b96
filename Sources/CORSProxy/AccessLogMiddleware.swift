public import Hummingbird
public import Logging

/// One info line per request: method, path, status, duration and client address.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ProxyRequestContext
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, start: start)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, start: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        AccessLog.record(
            logger, method: request.method.rawValue, path: request.head.path ?? "", status: status, since: start,
            client: context.clientAddress)
    }
}
