public import CORS
import CORSNIO
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// A Hummingbird HTTP/1 child channel with ``CORSNIO/CORSWebSocketOriginGuard`` right after the
/// request decoder, in front of the WebSocket upgrade handler: a WebSocket upgrade from a browser
/// origin the policy refuses (cross-site WebSocket hijacking) gets `403` and never reaches the
/// upgrader or your `shouldUpgrade`. Browsers apply no CORS to WebSockets, so this check is the
/// server's to make.
///
/// Usually built through ``HummingbirdCore/HTTPServerBuilder/http1WebSocketUpgrade(webSocketRouter:cors:configuration:)``;
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
    public typealias Value = Inner.Value

    public let inner: Inner
    public let policy: CORSPolicy

    public init(_ inner: Inner, policy: CORSPolicy) {
        self.inner = inner
        self.policy = policy
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        let policy = self.policy
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(
                CORSWebSocketOriginGuard(policy, removeAfterFirstRequest: true, logger: logger),
                position: .after(decoder))
            return value
        }
    }

    public func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
