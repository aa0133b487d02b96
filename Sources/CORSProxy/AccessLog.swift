#if Tools
import Logging

/// The access log line shared by the gateway's event-loop path and the proxy's middleware.
enum AccessLog {
    static func record(
        _ logger: Logger, method: String, path: String, status: Int, since start: ContinuousClock.Instant,
        client: String?
    ) {
        guard logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "\(method) \(path) \(status)",
            metadata: [
                "status": "\(status)",
                "duration_ms": "\((milliseconds * 10).rounded() / 10)",
                "client": "\(client ?? "-")",
            ])
    }
}
#endif
