#if Tools
public import CORS
public import Hummingbird
import HummingbirdCore
public import Logging
public import NIOCore
import NIOPosix
public import NIOSSL

/// What `cors serve --upstream` needs: the one upstream and the policy to put in front of it.
public struct GatewayConfiguration: Sendable {
    /// The upstream's base URL (`http://127.0.0.1:3000`, `https://api.internal/v1`).
    public var upstream: TargetURL
    /// The CORS policy in front of the upstream: it answers preflights (unless it passes them on), and its
    /// `Access-Control-*` fields replace the upstream's on every answer, errors included. Made with a
    /// `CORSPolicyHolder`, this is the policy the holder holds now; setting it fixes the policy.
    public var policy: CORSPolicy {
        get { policySource.box.policy }
        set { policySource = PolicyReference(newValue) }
    }
    /// The holder each request's policy is read from when the configuration was made with one.
    public var policyHolder: CORSPolicyHolder? { policySource.holder }
    var policySource: PolicyReference
    /// Sends the client's `Host` upstream instead of the upstream's own (nginx's default is the latter).
    public var preserveHost: Bool
    /// Passes on the `Forwarded`, `X-Forwarded-Proto/Host/Port/Prefix` and `X-Real-IP` a client
    /// sent (this hop's own `-Proto` and `-Host` are then added only where missing): only behind a
    /// proxy that sets them (a client reaching the gateway directly could claim any scheme and host).
    public var trustsForwardedFields = false
    /// Passes on request fields whose names have `_` (dropped by default, as nginx does: a WSGI or
    /// CGI upstream reads `X_Real_IP` as `X-Real-IP`).
    public var keepsUnderscoreHeaders = false
    /// How long a client connection may stay silent between requests (nginx's `keepalive_timeout`).
    public var clientIdleTimeout: TimeAmount = .seconds(75)
    /// How long a request's header fields may take from its first byte (nginx's
    /// `client_header_timeout`): a slower client gets 408 and the connection closes.
    public var headerTimeout: TimeAmount = .seconds(30)
    /// Whether a WebSocket upgrade from an origin the policy allows (the policy's WebSocket rule:
    /// `CORSPolicy.webSocketVerdict(path:headerFields:)`) goes to the upstream and, once it
    /// answers `101`, becomes a tunnel. Off: upgrades are forwarded as plain requests, as `h2c`
    /// and other upgrades always are.
    public var tunnelsWebSockets = true
    /// How long a WebSocket tunnel may carry nothing either way before both sides close.
    public var tunnelIdleTimeout: TimeAmount = .seconds(300)
    /// Most bytes one direction of a WebSocket tunnel carries before both sides close; nil: no limit.
    public var tunnelByteLimit: Int?

    /// Throws a 400-style ``ProxyRejection`` describing what is wrong with `upstream`.
    public init(upstream: String, policy: CORSPolicy, preserveHost: Bool = false) throws(ProxyRejection) {
        try self.init(upstream: upstream, source: PolicyReference(policy), preserveHost: preserveHost)
    }

    /// The gateway reads each request's policy from `holder` when the request arrives, so the policy
    /// can be replaced while it serves. It applies the policy inline: a policy with an async origin
    /// predicate put in the holder is refused per request (500, logged as an error) rather than
    /// applied without its predicate.
    ///
    /// Throws a 400-style ``ProxyRejection`` describing what is wrong with `upstream`.
    public init(upstream: String, policy holder: CORSPolicyHolder, preserveHost: Bool = false) throws(ProxyRejection) {
        try self.init(upstream: upstream, source: PolicyReference(holder), preserveHost: preserveHost)
    }

    private init(upstream: String, source: PolicyReference, preserveHost: Bool) throws(ProxyRejection) {
        // Each request's own query goes upstream: a fixed one here would be silently lost.
        if upstream.contains("?") || upstream.contains("#") {
            throw ProxyRejection(
                .badRequest, reason: "bad-url",
                "The upstream URL must have no query or fragment (each request's own query is sent as it is).")
        }
        self.upstream = try TargetURL(parsing: Substring(upstream), requireDottedName: false)
        self.policySource = source
        self.preserveHost = preserveHost
    }
}

/// A reverse proxy that applies a CORS policy in front of one upstream.
///
/// The policy owns the CORS headers: the upstream's `Access-Control-*` fields are removed and the
/// policy's added (one `Access-Control-Allow-Origin`, never two), preflights are answered here,
/// and errors (502 when the upstream is down, 504 when it is slow) carry the CORS headers too, so
/// the page can read them. Bodies stream both ways.
///
/// Requests never leave the connection's event loop: Hummingbird's server accepts the
/// connections, ``ForwardingChannel`` runs NIO's HTTP/1 codec, the policy (`CORSNIO`'s handler)
/// and `ForwardHandler`, which forwards on a keep-alive connection of the same event loop
/// (``UpstreamPool``): no task and no thread hop per request.
public struct Gateway: Sendable {
    /// The upstream, the policy and the forwarding options the gateway was created with.
    public let configuration: GatewayConfiguration
    let pool: UpstreamPool
    let logger: Logger

    /// Creates a gateway; nothing is bound until it runs.
    ///
    /// - Parameters:
    ///   - configuration: the upstream, the policy and the forwarding options.
    ///   - connections: timeouts and pooling of the upstream connections.
    ///   - tlsConfiguration: for an `https` upstream; nil trusts the system's roots.
    ///   - logger: where refusals, upstream failures and connection errors are logged.
    /// - Throws: when the TLS configuration can't be loaded.
    public init(
        configuration: GatewayConfiguration, connections: UpstreamPool.Configuration = .init(),
        tlsConfiguration: TLSConfiguration? = nil, logger: Logger
    ) throws {
        self.configuration = configuration
        self.pool = try UpstreamPool(
            target: configuration.upstream, configuration: connections, group: MultiThreadedEventLoopGroup.singleton,
            tlsConfiguration: tlsConfiguration)
        self.logger = logger
    }

    /// The child channel that serves one client connection.
    public func makeChannel() -> ForwardingChannel {
        let route = GatewayRoute(configuration: configuration, pool: pool, logger: logger)
        return ForwardingChannel(route: route, policy: route.appliesPolicy ? nil : configuration.policy)
    }

    /// A Hummingbird application serving the gateway on `MultiThreadedEventLoopGroup.singleton`:
    /// run it with `runService()` (or in a `ServiceGroup`) for graceful shutdown on SIGTERM/SIGINT.
    public func makeApplication(
        configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        makeChannel().application(configuration: configuration, onServerRunning: onServerRunning, logger: logger)
    }

    /// Closes the idle upstream connections; call once the server stopped.
    public func shutdown() async {
        await pool.shutdown()
    }
}
#endif
