#if Tools
public import Hummingbird
public import Logging
public import NIOCore

/// An open CORS proxy in the manner of cors-anywhere: `GET /https://api.example.com/x` fetches
/// that URL and answers with CORS headers that let any page read it — but, unlike
/// cors-anywhere, only from public addresses (see ``SSRFGuard``), within size, redirect and time
/// limits, and never with the client's cookies.
///
/// Like the gateway, it answers on the event loop (``ForwardingChannel``): the checks, the
/// forward on a keep-alive connection to the checked address (``ProxyUpstreams``) and the answer
/// all happen on the client connection's thread; only a DNS lookup leaves it.
public struct OpenProxy: Sendable {
    /// What the proxy fetches and refuses, as given to ``OpenProxy/init(configuration:upstreams:logger:)``.
    public let configuration: OpenProxyConfiguration
    let route: ProxyRoute

    /// Creates a proxy; it serves once the application of ``OpenProxy/makeApplication(configuration:onServerRunning:)``
    /// runs.
    ///
    /// - Parameters:
    ///   - configuration: the target guard, origin lists, rate limit, size limits and timeouts.
    ///   - upstreams: the keep-alive connections to checked addresses (and the TLS configuration for `https`
    ///     targets); ``OpenProxy/shutdown()`` closes its idle ones.
    ///   - logger: receives the access log (one line per answer, at `info`).
    public init(configuration: OpenProxyConfiguration, upstreams: ProxyUpstreams, logger: Logger) {
        self.configuration = configuration
        self.route = ProxyRoute(configuration: configuration, upstreams: upstreams, logger: logger)
    }

    /// The child channel that serves one client connection.
    public func makeChannel() -> ForwardingChannel {
        ForwardingChannel(route: route, policy: nil)
    }

    /// A Hummingbird application serving the proxy: run it with `runService()` (or in a
    /// `ServiceGroup`) for graceful shutdown on SIGTERM/SIGINT.
    public func makeApplication(
        configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        makeChannel().application(configuration: configuration, onServerRunning: onServerRunning, logger: route.logger)
    }

    /// Closes the idle upstream connections; call once the server stopped.
    public func shutdown() async {
        await route.upstreams.shutdown()
    }
}
#endif
