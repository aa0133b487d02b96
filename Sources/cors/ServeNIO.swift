import CORS
import CORSNIO
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// `cors serve --adapter nio`: the echo API behind `CORSNIOChannelHandler` in a plain NIO pipeline,
/// and `/ws` through `NIOWebSocketServerUpgrader` guarded by the policy.
enum ServeNIO {
    static func run(_ settings: ServerSettings) async throws {
        let policy = settings.policy
        let shouldUpgrade = policy.webSocketShouldUpgrade { channel, head in
            // RFC 6455 §4.1: an opening handshake is a GET.
            channel.eventLoop.makeSucceededFuture(
                head.method == .GET && head.uri.split(separator: "?").first == "/ws" ? HTTPHeaders() : nil)
        }
        // Hummingbird's limits, so every adapter refuses the same heads.
        let limits = {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldCount = 1000
            return limits
        }()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                let cap = settings.limits.maxConnections
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AvailableConnectionsChannelHandler(maxConnections: cap))
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOWebSocketServerUpgrader(
                        shouldUpgrade: shouldUpgrade,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(WebSocketEchoHandler())
                            }
                        })
                    let operations = channel.pipeline.syncOperations
                    try operations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                // The HTTP handlers must not see WebSocket frames.
                                context.pipeline.removeHandler(name: "cors", promise: nil)
                                context.pipeline.removeHandler(name: "echo", promise: nil)
                            }
                        ),
                        withErrorHandling: false,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: limits)
                    // Instead of NIO's error handler (400 for everything): 431 for header overflow,
                    // the reason in words, and the header-read timeout.
                    try operations.addHTTPRequestGuard(
                        headerTimeout: settings.limits.headerTimeoutAmount,
                        parserErrorAnswer: .init(
                            maxHeaderFields: limits.maxHeaderFieldCount, maxHeaderBytes: limits.maxHeaderListSize))
                    try operations.addHandler(CORSNIOChannelHandler(policy, logger: settings.logger), name: "cors")
                    try operations.addHandler(EchoNIOHandler(), name: "echo")
                }
            }
        let channel = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        settings.announce(port: channel.localAddress?.port ?? 0)
        let services = settings.runServicesInBackground()
        await TerminationSignal.wait()
        services.cancel()
        try? await channel.close()
    }
}

/// The echo API as a NIO handler: answers each request once its end arrives.
final class EchoNIOHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let reply = EchoAPI.reply(method: request.method.rawValue, target: request.uri, headerFields: fields)
        var headers = HTTPHeaders()
        for field in reply.headerFields { headers.add(name: field.name.rawName, value: field.value) }
        if let length = reply.contentLength { headers.replaceOrAdd(name: "Content-Length", value: String(length)) }
        let keepAlive = request.isKeepAlive && !reply.closesConnection
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: reply.status.code)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        if !reply.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}

/// Echoes every WebSocket message; answers pings and the closing handshake.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            let echo = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(echo), promise: nil)
        case .ping:
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            guard !closing else {
                context.close(promise: nil)
                return
            }
            closing = true
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData))
            ).whenComplete { _ in bound.value.close(promise: nil) }
        default:
            break
        }
    }
}
