import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A loopback HTTP server that answers every request `slow` after `delay`: an upstream with a
/// request in flight for a while.
final class SlowUpstream: Sendable {
    let channel: any Channel
    /// Requests whose head arrived: a test waits for this, not for a duration, to know one is in flight.
    let received = NIOLockedValueBox(0)
    var baseURL: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }

    init(delay: TimeAmount) async throws {
        let received = self.received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(delay: delay, received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let delay: TimeAmount
        let received: NIOLockedValueBox<Int>
        init(delay: TimeAmount, received: NIOLockedValueBox<Int>) {
            self.delay = delay
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { received.withLockedValue { $0 += 1 } }
            guard case .end = unwrapInboundIn(data) else { return }
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: delay) {
                let (handler, context) = bound.value
                let body = ByteBuffer(string: "slow")
                context.write(
                    handler.wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "4"]))),
                    promise: nil)
                context.write(handler.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
