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
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(request.method) \(request.head.path ?? "") \(status)",
            metadata: [
                "status": "\(status)",
                "duration_ms": "\((milliseconds * 10).rounded() / 10)",
                "client": "\(context.clientAddress ?? "-")",
            ])
    }
}
