#if Tools
import Metrics

/// The counters and timer of a gateway or proxy, reported through whatever swift-metrics backend
/// the process bootstrapped (none by default).
struct ProxyMetrics: Sendable {
    let prefix: String
    private let requests: Counter
    private let tunnels: Counter
    let upstreamLatency: Timer

    init(prefix: String) {
        self.prefix = prefix
        self.requests = Counter(label: "\(prefix)_requests_total")
        self.tunnels = Counter(label: "\(prefix)_tunnels_total")
        self.upstreamLatency = Timer(label: "\(prefix)_upstream_duration_seconds")
    }

    func countRequest() { requests.increment() }

    /// A WebSocket handshake the upstream accepted: the connection is a tunnel now.
    func tunnelOpened() { tunnels.increment() }

    /// Counts a refusal; `reason` is a short fixed word (`ssrf`, `rate-limited`, `origin-denied`…).
    func rejected(_ reason: String) {
        Counter(label: "\(prefix)_rejections_total", dimensions: [("reason", reason)]).increment()
    }

    func observeUpstream(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        upstreamLatency.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
#endif
