import CORSNIO
import NIOCore
import NIOHTTP1

/// In front of Hummingbird's upgrade handler (right after the request decoder): a first request
/// that asks for an upgrade this server won't make — another protocol (`h2c` from
/// `curl --http2`), another path than `/ws`, another method than GET — loses its `Upgrade` field
/// and is answered like any other request, as the Vapor and NIO adapters answer it (RFC 9110
/// §7.8 lets a server ignore `Upgrade`). Without it, NIO's upgrade handler dropped such a request
/// unanswered, and Hummingbird answered a WebSocket upgrade on another path with 400. Upgrades
/// happen only on a connection's first request there, so the filter leaves after one.
final class EchoUpgradeFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first
        let upgradable = head.method == .GET && path == "/ws" && head.headers.isWebSocketUpgrade
        if !upgradable, head.headers.contains(name: "upgrade") {
            head.headers.remove(name: "upgrade")
            let tokens = head.headers[canonicalForm: "connection"].filter { $0.lowercased() != "upgrade" }
            head.headers.remove(name: "connection")
            if !tokens.isEmpty { head.headers.add(name: "Connection", value: tokens.joined(separator: ", ")) }
            context.fireChannelRead(wrapInboundOut(.head(head)))
        } else {
            context.fireChannelRead(data)
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
