import CORSProxy
import Dispatch
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

extension ApplicationProtocol {
    /// Runs until SIGTERM/SIGINT, lets in-flight requests finish, and exits at the latest `grace`
    /// after the signal.
    ///
    /// Hummingbird waits for every connection to close, and a connection a browser opened but never
    /// used (Chromium pre-connects) is not closed by the WebSocket upgrade channel; ServiceLifecycle's
    /// own deadline ends in a crash. So a watchdog ends the process itself once the grace is over.
    /// `alongside`: services that run and stop with it (the metrics endpoint).
    func runUntilSignalled(alongside: [any Service] = [], grace: Double = 3, logger: Logger) async throws {
        let watchdog = ShutdownWatchdog(grace: grace, logger: logger)
        watchdog.arm()
        let configuration = ServiceGroupConfiguration(
            services: [self] + alongside, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Exits the process `grace` seconds after SIGTERM or SIGINT, whatever is still running.
final class ShutdownWatchdog: Sendable {
    let grace: Double
    let logger: Logger
    // The sources must live as long as the process; kept here, never mutated after `arm()`.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init(grace: Double, logger: Logger) {
        self.grace = grace
        self.logger = logger
    }

    func arm() {
        for signalNumber in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [grace, logger] in
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                    logger.notice("connections still open \(grace) s after the signal: exiting")
                    exit(0)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// `--metrics-port`: the Prometheus endpoint next to the gateway or the proxy.
enum MetricsOption {
    /// Bootstraps the registry (before the server is built) and returns the endpoint's service,
    /// which prints `metrics on http://HOST:PORT/metrics` once it listens; none without a port.
    static func service(host: String, port: Int?, logger: Logger) -> [any Service] {
        guard let port else { return [] }
        let registry = MetricsEndpoint.bootstrap()
        let shown = host.contains(":") ? "[\(host)]" : host
        let app = MetricsEndpoint.application(
            registry: registry, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("metrics on http://\(shown):\(boundPort)/metrics\n".utf8))
            },
            logger: logger)
        return [app]
    }
}
