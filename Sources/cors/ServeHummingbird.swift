import CORS
import CORSHummingbird
import CORSHummingbirdWebSocket
import CORSNIO
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// `cors serve --adapter hummingbird`: the echo API behind `CORSHummingbirdMiddleware`, and `/ws`.
enum ServeHummingbird {
    static func run(_ settings: ServerSettings) async throws {
        let policy = settings.policy
        let router = Router()
        router.add(middleware: CORSHummingbirdMiddleware(policy))
        router.add(middleware: EchoMiddleware())

        let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
        webSocketRouter.ws(
            "/ws",
            shouldUpgrade: { request, _ in
                await policy.current.webSocketUpgradeAllowed(path: request.uri.path, headerFields: request.headers)
                    ? .upgrade([:]) : .dontUpgrade
            },
            onUpgrade: { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .text(let text): try await outbound.write(.text(text))
                    case .binary(let buffer): try await outbound.write(.binary(buffer))
                    }
                }
            })
        let webSocketResponder = webSocketRouter.buildResponder()
        // Hummingbird answers a declined upgrade with 400; the guard in front answers refused origins 403.
        let server = HTTPServerBuilder { responder in
            EchoChannel(
                inner: CORSWebSocketGuardedChannel(
                    HTTP1WebSocketUpgradeChannel(
                        responder: responder, webSocketResponder: webSocketResponder, configuration: .init()),
                    policy: policy),
                headerTimeout: settings.limits.headerTimeoutAmount)
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: nil,
                availableConnectionsDelegate: settings.limits.connectionCap),
            onServerRunning: { channel in settings.announce(port: channel.localAddress?.port ?? 0) },
            logger: settings.logger
        )
        try await app.runUntilSignalled(alongside: settings.services, logger: settings.logger)
    }
}

/// The echo server's child channel: the library's WebSocket-guarded channel (``CORSHummingbirdWebSocket``)
/// with the echo API's own handlers right after the HTTP request decoder, and the
/// ``CORSNIO/HTTPRequestGuard`` before them.
struct EchoChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let headerTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Inner.Value> {
        let headerTimeout = self.headerTimeout
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(EchoUpgradeFilter(), position: .after(decoder))
            try operations.addHandler(CloseAfterResponse(), position: .after(decoder))
            // Hummingbird answers nothing to a parse error before the first request is routed
            // (1,000 header fields held the connection open): the guard answers 400/431 and closes.
            let limits = HTTP1Channel.Configuration().httpDecoder
            try operations.addHTTPRequestGuard(
                headerTimeout: headerTimeout,
                parserErrorAnswer: .init(
                    maxHeaderFields: limits.maxHeaderFieldCount, maxHeaderBytes: limits.maxHeaderListSize))
            return value
        }
    }

    func handle(value: Inner.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
