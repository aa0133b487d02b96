#if HummingbirdWebSocket
public import CORS
import CORSNIO
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// A Hummingbird HTTP/1 child channel with `CORSWebSocketOriginGuard` right after the
/// request decoder, in front of the WebSocket upgrade handler: a WebSocket upgrade from a browser
/// origin the policy refuses (cross-site WebSocket hijacking) gets `403` and never reaches the
/// upgrader or your `shouldUpgrade`. Browsers apply no CORS to WebSockets, so this check is the
/// server's to make.
///
/// Usually built through `HTTPServerBuilder/http1WebSocketUpgrade(webSocketRouter:cors:configuration:)`;
/// wrap any child channel whose pipeline has NIO's `HTTPRequestDecoder` directly:
/// ```swift
/// let server = HTTPServerBuilder { responder in
///     CORSWebSocketGuardedChannel(
///         HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: sockets, configuration: .init()),
///         policy: policy)
/// }
/// ```
/// The guard leaves the pipeline after the connection's first request, so later requests cost nothing.
public struct CORSWebSocketGuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    /// The inner channel's per-connection value, which ``handle(value:logger:)`` hands on unchanged.
    public typealias Value = Inner.Value

    /// The wrapped child channel, which sets up the pipeline and handles each connection.
    public let inner: Inner
    private let source: PolicyReference
    /// The policy whose WebSocket rule judges the `Origin` of an upgrade arriving now.
    public var policy: CORSPolicy { source.box.policy }

    /// Wraps `inner`, adding the origin guard to each connection's pipeline once `inner` has set it up.
    ///
    /// - Parameters:
    ///   - inner: A child channel whose pipeline has NIO's `HTTPRequestDecoder` (setup fails otherwise).
    ///   - policy: The policy that judges WebSocket upgrades.
    public init(_ inner: Inner, policy: CORSPolicy) {
        self.inner = inner
        self.source = PolicyReference(policy)
    }

    /// Wraps `inner`; each upgrade is judged by the policy `holder` holds when it arrives.
    public init(_ inner: Inner, policy holder: CORSPolicyHolder) {
        self.inner = inner
        self.source = PolicyReference(holder)
    }

    init(_ inner: Inner, source: PolicyReference) {
        self.inner = inner
        self.source = source
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        let source = self.source
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(
                source.originGuard(logger: logger),
                position: .after(decoder))
            return value
        }
    }

    public func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
extension PolicyReference {
    fileprivate func originGuard(logger: Logger) -> CORSWebSocketOriginGuard {
        switch self {
        case .fixed(let box): CORSWebSocketOriginGuard(box.policy, removeAfterFirstRequest: true, logger: logger)
        case .live(let holder): CORSWebSocketOriginGuard(holder, removeAfterFirstRequest: true, logger: logger)
        }
    }
}
#endif
