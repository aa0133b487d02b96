#if NIO
public import CORS
public import NIOCore
public import NIOHTTP1

extension CORSPolicy {
    /// A `shouldUpgrade` for `NIOWebSocketServerUpgrader` that declines upgrades from browser
    /// origins the policy refuses (see `CORSPolicy/webSocketVerdict(path:headerFields:)`),
    /// then asks `next`.
    ///
    /// A declined upgrade is passed on as a plain request: keep a ``CORSNIOChannelHandler`` after the
    /// upgrade handler so it answers 403.
    /// ```swift
    /// let upgrader = NIOWebSocketServerUpgrader(
    ///     shouldUpgrade: policy.webSocketShouldUpgrade(),
    ///     upgradePipelineHandler: { channel, _ in ... })
    /// ```
    public func webSocketShouldUpgrade(
        then next: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> = {
            channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders())
        }
    ) -> @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        { channel, head in
            switch self.webSocketVerdict(path: head.uri, headerFields: head.headers.corsRequestFields) {
            case .allowed:
                return next(channel, head)
            case .refused:
                return channel.eventLoop.makeSucceededFuture(nil)
            case .needsOriginPredicate(let pending):
                let promise = channel.eventLoop.makePromise(of: Bool.self)
                promise.completeWithTask { await pending.resolve().isAllowed }
                return promise.futureResult.flatMap { allowed in
                    allowed ? next(channel, head) : channel.eventLoop.makeSucceededFuture(nil)
                }
            }
        }
    }
}

extension CORSPolicyHolder {
    /// ``CORSPolicy/webSocketShouldUpgrade(then:)`` by the policy the holder holds when each
    /// upgrade arrives.
    public func webSocketShouldUpgrade(
        then next: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> = {
            channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders())
        }
    ) -> @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        { channel, head in self.current.webSocketShouldUpgrade(then: next)(channel, head) }
    }
}
#endif
