#if Tools
import CORS
import CORSNIO
import Hummingbird
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
import NIOPosix

/// A gateway or proxy connection as a Hummingbird server child channel: NIO's HTTP/1 server
/// pipeline, the CORS policy (the gateway's), then `ForwardHandler`. Hummingbird's server runs
/// it (binding, the connection count, graceful shutdown through swift-service-lifecycle: on
/// SIGTERM the server stops accepting and each connection closes once its in-flight request is
/// answered).
public struct ForwardingChannel: ServerChildChannel {
    /// What ``ForwardingChannel/setup(channel:logger:)`` hands Hummingbird for one client connection:
    /// the channel with its pipeline in place, which ``ForwardingChannel/handle(value:logger:)`` waits on
    /// until it closes.
    public struct Value: ServerChildChannelValue {
        /// The client connection.
        public let channel: any Channel
    }

    private let route: any ForwardingRoute
    private let policy: CORSPolicy?

    init(route: any ForwardingRoute, policy: CORSPolicy?) {
        self.route = route
        self.policy = policy
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let policy = self.policy
        let route = self.route
        return channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            // Pipelining, quiescing and the 400 for unparsable requests are ForwardHandler's (one
            // handler less on every part's way). Outbound fields come from llhttp-parsed upstream
            // heads and our own: re-validating every head would only cost time.
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            // A client that drips its head byte by byte gets 408 at the header timeout, not only
            // the idle timeout's close.
            try operations.addHTTPRequestGuard(headerTimeout: route.headerTimeout, parserErrorAnswer: nil)
            if let policy { try operations.addHandler(CORSNIOChannelHandler(policy, logger: route.logger)) }
            try operations.addHandler(ForwardHandler(route: route))
            return Value(channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        try? await value.channel.closeFuture.get()
    }

    /// A Hummingbird application serving this channel on `MultiThreadedEventLoopGroup.singleton`
    /// (the loops the upstream pools keep connections for): run it with `runService()` (or in a
    /// `ServiceGroup`) for graceful shutdown on SIGTERM/SIGINT.
    func application(
        configuration: ApplicationConfiguration, onServerRunning: @escaping @Sendable (any Channel) async -> Void,
        logger: Logger
    ) -> some ApplicationProtocol {
        // Every request is answered on the event loop; the router behind the builder is never asked.
        Application(
            router: Router(),
            server: HTTPServerBuilder { _ in self },
            configuration: configuration,
            onServerRunning: onServerRunning,
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            logger: logger
        )
    }
}
#endif
