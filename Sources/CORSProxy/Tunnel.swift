#if Tools
import Logging
import NIOCore

/// A WebSocket (or other upgraded) connection once the upstream answered `101`: the client's
/// and the upstream's channels glued byte for byte, both on one event loop.
///
/// Each side is read only while the other can take more (NIO's write-buffer watermarks), so a
/// tunnel holds at most a watermark and one read per direction however fast one side sends. A
/// side's end of input ends the other side's output; once both are done, or either side closes,
/// fails, goes silent past the idle limit or carries more than the byte limit, both close.
final class Tunnel {
    struct Limits: Sendable {
        /// Both sides silent this long: both close (nginx's `proxy_read_timeout` for WebSockets).
        var idleTimeout: TimeAmount
        /// Most bytes one direction carries before both sides close; nil: no limit.
        var maximumBytes: Int?
    }

    let limits: Limits
    private let logger: Logger
    private let name: String
    let client: TunnelHandler
    let upstream: TunnelHandler
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var closed = false

    init(limits: Limits, logger: Logger, name: String) {
        self.limits = limits
        self.logger = logger
        self.name = name
        self.client = TunnelHandler(side: "client")
        self.upstream = TunnelHandler(side: "upstream")
        client.tunnel = self
        upstream.tunnel = self
        client.partner = upstream
        upstream.partner = client
    }

    /// Both handlers are in place and the HTTP handlers gone: bytes may flow.
    func begin(on eventLoop: any EventLoop) {
        lastActivity = .now()
        scheduleIdleCheck(on: eventLoop, in: limits.idleTimeout)
        client.begin()
        upstream.begin()
    }

    /// A side read `bytes`: false once its direction is over the byte limit (both then close).
    func carried(_ bytes: Int, by handler: TunnelHandler) -> Bool {
        lastActivity = .now()
        handler.bytesRead += bytes
        guard let maximum = limits.maximumBytes, handler.bytesRead > maximum else { return true }
        logger.notice(
            "tunnel to \(name) closed: the \(handler.side) sent more than \(maximum) bytes, the tunnel byte limit")
        close()
        return false
    }

    /// Closes both sides (once).
    func close() {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        timer = nil
        client.closeChannel()
        upstream.closeChannel()
        // The handlers hold each other and the tunnel: let go so all of it is freed with the channels.
        client.partner = nil
        upstream.partner = nil
        client.tunnel = nil
        upstream.tunnel = nil
    }

    private func scheduleIdleCheck(on eventLoop: any EventLoop, in delay: TimeAmount) {
        timer = eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard !closed else { return }
            let silentFor = NIODeadline.now() - lastActivity
            if silentFor >= limits.idleTimeout {
                logger.info(
                    "tunnel to \(name) closed: nothing went either way for \(limits.idleTimeout.nanoseconds / 1_000_000) ms"
                )
                close()
            } else {
                scheduleIdleCheck(on: eventLoop, in: limits.idleTimeout - silentFor)
            }
        }
    }
}

/// One side of a ``Tunnel``: what it reads goes to the other side's channel.
final class TunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: String
    /// Strong until the tunnel closes: the two handlers are what keeps it alive.
    fileprivate var tunnel: Tunnel?
    fileprivate var partner: TunnelHandler?
    private var context: ChannelHandlerContext?
    fileprivate var bytesRead = 0
    /// A `read()` held while the partner can't take more.
    private var readHeld = false
    /// Until the tunnel begins, nothing is read (the HTTP handlers are still leaving).
    private var begun = false
    private var inputEnded = false
    private var outputEnded = false

    fileprivate init(side: String) {
        self.side = side
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    fileprivate func begin() {
        begun = true
        guard let context else { return }
        // Bytes that came with the `101` were handed on while the decoder left: out they go.
        partner?.context?.flush()
        if !context.channel.isActive {
            tunnel?.close()
            return
        }
        context.read()
    }

    fileprivate var isWritable: Bool { context?.channel.isWritable ?? false }

    fileprivate func closeChannel() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let tunnel, tunnel.carried(buffer.readableBytes, by: self), let partner else { return }
        partner.context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if begun, partner?.isWritable ?? false {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    private func resumeReading() {
        guard readHeld, begun, let context else { return }
        readHeld = false
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The server is shutting down: a tunnel has no answer to finish, it just ends.
            tunnel?.close()
            return
        }
        guard (event as? ChannelEvent) == .inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // One side is done sending: so is the other side's output, and the tunnel once both are.
        inputEnded = true
        partner?.endOutput()
        if outputEnded { tunnel?.close() }
    }

    private func endOutput() {
        guard let context else { return }
        outputEnded = true
        if inputEnded {
            tunnel?.close()
            return
        }
        context.close(mode: .output).assumeIsolated().whenFailure { [weak self] _ in
            // A channel that can't half-close closes.
            self?.tunnel?.close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tunnel?.close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tunnel?.close()
    }
}
#endif
