import AsyncHTTPClient
import Logging

/// What every gateway connection shares: the upstream, the client that reaches it, the log and
/// the counters.
struct GatewayRoute: Sendable {
    let configuration: GatewayConfiguration
    let client: HTTPClient
    let logger: Logger
    let metrics = ProxyMetrics(prefix: "cors_gateway")
    /// `scheme://host:port` of the upstream, at its checked address when it was an IP literal.
    let upstreamOrigin: String
    /// The upstream URL's path without query and trailing `/`: request targets are appended to it.
    let basePath: Substring

    init(configuration: GatewayConfiguration, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        let upstream = configuration.upstream
        self.upstreamOrigin =
            "\(upstream.scheme.rawValue)://\(upstream.address?.uriHost ?? upstream.host):\(upstream.port)"
        var base = Substring(upstream.pathAndQuery)
        if let query = base.firstIndex(of: "?") { base = base[..<query] }
        while base.hasSuffix("/") { base = base.dropLast() }
        self.basePath = base
    }

    /// The upstream URL for a client's origin-form request target (`/path?query`).
    func url(for target: String) -> String {
        upstreamOrigin + basePath + target
    }

    /// The `Host` the upstream sees: its own, or the client's with `preserveHost`.
    func hostField(clientHost: String?) -> String {
        configuration.preserveHost ? (clientHost ?? configuration.upstream.hostField) : configuration.upstream.hostField
    }
}
