import CORSNIO
public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// A gateway connection as a Hummingbird server child channel: NIO's HTTP/1 server pipeline, the
/// CORS policy, then ``GatewayForwardHandler``. Hummingbird's server runs it (binding, the
/// connection count, graceful shutdown through swift-service-lifecycle: on SIGTERM the server
/// stops accepting and each connection closes once its in-flight request is answered).
public struct GatewayChannel: ServerChildChannel {
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
    }

    let route: GatewayRoute

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let route = self.route
        return channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            // Pipelining, quiescing and the 400 for unparsable requests are GatewayForwardHandler's
            // (one handler less on every part's way). Outbound fields come from llhttp-parsed
            // upstream heads and the validated policy: re-validating every head would only cost time.
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try operations.addHandler(CORSChannelHandler(route.configuration.policy))
            try operations.addHandler(GatewayForwardHandler(route: route))
            return Value(channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        try? await value.channel.closeFuture.get()
    }
}
