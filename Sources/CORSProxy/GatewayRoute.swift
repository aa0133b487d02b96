import Logging

/// What every gateway connection shares: the upstream, the pool of connections to it, the log
/// and the counters.
struct GatewayRoute: Sendable {
    let configuration: GatewayConfiguration
    let pool: UpstreamPool
    let logger: Logger
    let metrics = ProxyMetrics(prefix: "cors_gateway")
    /// The upstream URL's path without query and trailing `/`: request targets are appended to it.
    let basePath: String

    init(configuration: GatewayConfiguration, pool: UpstreamPool, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        var base = Substring(configuration.upstream.pathAndQuery)
        if let query = base.firstIndex(of: "?") { base = base[..<query] }
        while base.hasSuffix("/") { base = base.dropLast() }
        self.basePath = String(base)
    }

    /// The `Host` the upstream sees: its own, or the client's with `preserveHost`.
    func hostField(clientHost: String?) -> String {
        configuration.preserveHost ? (clientHost ?? configuration.upstream.hostField) : configuration.upstream.hostField
    }
}
