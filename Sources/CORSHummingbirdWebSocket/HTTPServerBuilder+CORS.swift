#if HummingbirdWebSocket
public import CORS
public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket

extension HTTPServerBuilder {
    /// hummingbird-websocket's `http1WebSocketUpgrade(webSocketRouter:configuration:)`, with WebSocket
    /// upgrades from origins `policy` refuses answered `403` (see ``CORSWebSocketGuardedChannel``).
    ///
    /// ```swift
    /// let policy = try CORSPolicy(CORSConfiguration(origins: ["https://app.example.com"]))
    /// let sockets = Router(context: BasicWebSocketRequestContext.self)
    /// sockets.ws("/ws") { inbound, outbound, _ in
    ///     for try await message in inbound.messages(maxSize: 1 << 20) { … }
    /// }
    /// let app = Application(
    ///     router: router, server: .http1WebSocketUpgrade(webSocketRouter: sockets, cors: policy))
    /// ```
    /// The same policy's `CORSHummingbirdMiddleware` on the HTTP router gives the other requests their
    /// CORS headers; the WebSocket rule is the one `cors serve` uses (a missing Origin, from a
    /// non-browser client, is let through; `null` needs `allowNullOrigin`).
    public static func http1WebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder,
        cors policy: CORSPolicy,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration = .init()
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        guarded(webSocketRouter: webSocketRouter, source: PolicyReference(policy), configuration: configuration)
    }

    /// The same, with each upgrade judged by the policy `holder` holds when it arrives.
    public static func http1WebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder,
        cors holder: CORSPolicyHolder,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration = .init()
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        guarded(webSocketRouter: webSocketRouter, source: PolicyReference(holder), configuration: configuration)
    }

    private static func guarded<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder, source: PolicyReference,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            CORSWebSocketGuardedChannel(
                HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                source: source)
        }
    }
}
#endif
