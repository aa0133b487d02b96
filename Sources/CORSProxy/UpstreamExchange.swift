import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One request's trip upstream and back: AsyncHTTPClient's delegate, handing each part of the
/// upstream's answer to the client connection's ``GatewayForwardHandler``.
///
/// AsyncHTTPClient calls it on the client connection's event loop (the request runs with
/// `.delegateAndChannel(on:)`), so it touches the handler and its context directly.
final class UpstreamExchange: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    let request: HTTPRequestHead
    let start = ContinuousClock.now
    let upload: RequestBodyRelay?
    var task: HTTPClient.Task<Void>?
    /// The status sent to the client once its head went out (0 before).
    var sentStatus = 0
    private let handler: GatewayForwardHandler
    private let context: ChannelHandlerContext

    init(
        request: HTTPRequestHead, upload: RequestBodyRelay?, handler: GatewayForwardHandler,
        context: ChannelHandlerContext
    ) {
        self.request = request
        self.upload = upload
        self.handler = handler
        self.context = context
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        context.eventLoop.assertInEventLoop()
        handler.upstreamHead(head, of: self, context: context)
        return context.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        context.eventLoop.assertInEventLoop()
        return handler.upstreamBody(buffer, of: self, context: context)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        context.eventLoop.assertInEventLoop()
        handler.upstreamFailed(error, of: self, context: context)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        context.eventLoop.assertInEventLoop()
        handler.upstreamFinished(self, context: context)
    }
}
