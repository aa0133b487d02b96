#if Tools
import CORSNIO
import NIOCore
import Logging
import NIOHTTP1

extension ForwardHandler {
    /// The upstream's `101` is out: both connections drop their HTTP handlers for a ``Tunnel``,
    /// and this handler leaves the client's pipeline.
    func openTunnel(_ exchange: Exchange, context: ChannelHandlerContext) {
        let connection = exchange.connection
        exchange.connection = nil
        guard let limits = exchange.plan.tunnelLimits, let connection, let upstream = connection.channel,
            upstream.eventLoop === context.eventLoop
        else {
            connection?.abandon()
            context.close(promise: nil)
            return
        }
        log(exchange.request, status: 101, since: exchange.start, context: context)
        route.metrics.tunnelOpened()
        flushPending = false
        context.flush()
        let tunnel = Tunnel(limits: limits, logger: route.logger, name: exchange.plan.upstreamName)
        let eventLoop = context.eventLoop
        do {
            let client = context.pipeline.syncOperations
            let server = upstream.pipeline.syncOperations
            try client.addHandler(tunnel.client)
            try server.addHandler(tunnel.upstream)
            // Outbound HTTP handlers first: the upstream's first frames may come with its `101`.
            var removals = [
                client.removeHandler(try client.handler(type: HTTPResponseEncoder.self)),
                server.removeHandler(try server.handler(type: HTTPRequestEncoder.self)),
            ]
            if let guardHandler = try? client.handler(type: HTTPRequestGuard.self) {
                removals.append(client.removeHandler(guardHandler))
            }
            if let policyHandler = try? client.handler(type: CORSNIOChannelHandler.self) {
                removals.append(client.removeHandler(policyHandler))
            }
            removals.append(server.removeHandler(connection))
            // The decoders last: what they hold of the other protocol goes to the tunnel (the
            // upstream's; a client sends nothing before it has the `101`, RFC 6455 §4.1).
            removals.append(
                client.removeHandler(try client.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)))
            removals.append(
                server.removeHandler(try server.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self)))
            removals.append(client.removeHandler(context: context))
            EventLoopFuture.andAllSucceed(removals, on: eventLoop).assumeIsolated().whenComplete { result in
                switch result {
                case .success: tunnel.begin(on: eventLoop)
                case .failure: tunnel.close()
                }
            }
        } catch {
            route.logger.error("tunnel to \(exchange.plan.upstreamName) not opened: \(error)")
            tunnel.close()
            upstream.close(promise: nil)
            context.close(promise: nil)
        }
    }
}
#endif
