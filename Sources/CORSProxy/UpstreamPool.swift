#if Tools
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive connections to one upstream (the gateway's, or one checked address of the proxy's),
/// kept per event loop.
///
/// A client connection asks the pool of its own event loop, so the request, the upstream
/// connection and the answer all stay on one thread (what nginx does with its workers). Each
/// loop keeps at most `maximumIdlePerLoop` idle connections; more are closed when released.
public final class UpstreamPool: Sendable {
    /// Timeouts and pooling of the upstream connections; `init()` gives the defaults.
    public struct Configuration: Sendable {
        /// How long opening a TCP connection may take (10 seconds by default): then 504.
        public var connectTimeout: TimeAmount = .seconds(10)
        /// The longest silence while an answer is awaited: then 504.
        public var readTimeout: TimeAmount = .seconds(30)
        /// How long an unused connection is kept.
        public var idleTimeout: TimeAmount = .seconds(60)
        /// How many idle connections each event loop keeps (64 by default); a connection released beyond
        /// that is closed.
        public var maximumIdlePerLoop = 64

        /// The defaults: connect 10 s, read 30 s, idle 60 s, 64 idle connections per event loop.
        public init() {}
    }

    let host: String
    let port: Int
    /// Set for `https` upstreams; `serverName` is the name checked against the certificate.
    let tls: (context: NIOSSLContext, serverName: String?)?
    let configuration: Configuration
    private let loops: [ObjectIdentifier: UpstreamLoopPool]

    /// - Parameters:
    ///   - target: the upstream (scheme, host or checked address, port).
    ///   - group: the event loops the server's connections run on.
    ///   - tlsConfiguration: for `https`; nil uses the system's trust roots.
    convenience init(
        target: TargetURL, configuration: Configuration, group: any EventLoopGroup,
        tlsConfiguration: TLSConfiguration? = nil
    ) throws {
        let tls: (NIOSSLContext, String?)? =
            target.scheme == .https
            ? (
                try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration()),
                target.address == nil ? target.host : nil
            )
            : nil
        self.init(
            host: target.address?.description ?? target.host, port: target.port, tls: tls,
            configuration: configuration, group: group)
    }

    /// - Parameters:
    ///   - host: a name (looked up when connecting) or an address.
    ///   - tls: for `https`: the context and the name the certificate must carry (nil for an address).
    init(
        host: String, port: Int, tls: (context: NIOSSLContext, serverName: String?)?, configuration: Configuration,
        group: any EventLoopGroup
    ) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.tls = tls
        var loops: [ObjectIdentifier: UpstreamLoopPool] = [:]
        for eventLoop in group.makeIterator() {
            loops[ObjectIdentifier(eventLoop)] = UpstreamLoopPool(eventLoop: eventLoop)
        }
        self.loops = loops
    }

    /// An idle connection of `eventLoop`'s pool, if it has one: the common case, without a future.
    func takeIdle(on eventLoop: any EventLoop) -> UpstreamConnection? {
        loops[ObjectIdentifier(eventLoop)]?.takeIdle()
    }

    /// A connection on `eventLoop`: an idle one at once (unless `fresh`), or a new one once connected.
    func lease(on eventLoop: any EventLoop, fresh: Bool = false) -> EventLoopFuture<UpstreamConnection> {
        guard let loopPool = loops[ObjectIdentifier(eventLoop)] else {
            // A loop of another group: served, but never pooled.
            return connect(on: eventLoop, pool: UpstreamLoopPool(eventLoop: eventLoop))
        }
        if !fresh, let idle = loopPool.takeIdle() { return eventLoop.makeSucceededFuture(idle) }
        return connect(on: eventLoop, pool: loopPool)
    }

    private func connect(on eventLoop: any EventLoop, pool: UpstreamLoopPool) -> EventLoopFuture<UpstreamConnection> {
        let configuration = self.configuration
        let tls = self.tls
        let maximumIdle = configuration.maximumIdlePerLoop
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            // Small requests leave at once (NIO's default too; `.socketOption` here would set SO_DEBUG).
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let tls {
                        if let serverName = tls.serverName {
                            try operations.addHandler(
                                try CertificateIdentity.clientHandler(context: tls.context, serverName: serverName))
                        } else {
                            // An address: NIOSSL matches it against the certificate's IP names.
                            try operations.addHandler(
                                try NIOSSLClientHandler(context: tls.context, serverHostname: nil))
                        }
                    }
                    // The request heads are the client's llhttp-parsed fields plus ours: valid already.
                    // `.forwardBytes`: what an upstream sends right after a `101` belongs to the tunnel.
                    try operations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes, enableOutboundHeaderValidation: false)
                    let connection = UpstreamConnection(
                        pool: pool, readTimeout: configuration.readTimeout, idleTimeout: configuration.idleTimeout,
                        maximumIdle: maximumIdle)
                    try operations.addHandler(connection)
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
            }
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error { throw UpstreamConnectionFailure.connectTimeout }
                if error is UpstreamConnectionFailure { throw error }
                throw UpstreamConnectionFailure.connect(error)
            }
    }

    /// Closes every idle connection; call once the server stopped.
    public func shutdown() async {
        for loopPool in loops.values {
            try? await loopPool.eventLoop.submit { loopPool.closeAll() }.get()
        }
    }
}

/// The idle connections of one event loop; only touched on that loop.
final class UpstreamLoopPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var idle: [UpstreamConnection] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The most recently used idle connection (warmest, least likely to have timed out upstream).
    func takeIdle() -> UpstreamConnection? {
        eventLoop.assertInEventLoop()
        while let connection = idle.popLast() {
            if connection.isIdle { return connection }
        }
        return nil
    }

    /// Keeps a connection whose exchange ended, or closes it when the loop has enough.
    func release(_ connection: UpstreamConnection, maximumIdle: Int) {
        eventLoop.assertInEventLoop()
        if idle.count < maximumIdle {
            idle.append(connection)
        } else {
            connection.close()
        }
    }

    func remove(_ connection: UpstreamConnection) {
        idle.removeAll { $0 === connection }
    }

    func closeAll() {
        let all = idle
        idle.removeAll()
        for connection in all { connection.close() }
    }
}
#endif
