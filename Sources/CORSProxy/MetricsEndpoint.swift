#if Tools
public import Hummingbird
public import Logging
import Metrics
public import NIOCore
public import Prometheus

/// The gateway's and the proxy's counters (requests, rejections by reason, upstream latency) as
/// `GET /metrics` in Prometheus' text format, on a port of its own: the proxied port never
/// answers it, so the public can't read it through the proxy.
public enum MetricsEndpoint {
    /// Makes swift-metrics report into a new Prometheus registry. Call once per process, before
    /// the gateway or proxy is built (their counters are created with them).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// A Hummingbird application serving `registry` at `/metrics`.
    public static func application(
        registry: PrometheusCollectorRegistry, configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: configuration, onServerRunning: onServerRunning, logger: logger)
    }
}
#endif
