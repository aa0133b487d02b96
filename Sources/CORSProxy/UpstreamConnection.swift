#if Tools
import NIOCore
import NIOHTTP1
import NIOSSL

/// What an upstream connection reports to the exchange it carries; called on its event loop.
protocol UpstreamResponseSink: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead)
    /// Returns whether to go on reading the upstream (false: the client is behind; wait for
    /// ``UpstreamConnection/resumeReading()``).
    func upstreamBody(_ buffer: ByteBuffer) -> Bool
    /// The answer is complete; `trailers` are its trailer fields, if it had any.
    func upstreamEnd(trailers: HTTPHeaders?)
    /// The upstream's bytes read so far are all delivered: time to flush what was written.
    func upstreamReadComplete()
    func upstreamFailed(_ failure: UpstreamConnectionFailure)
    /// The upstream connection can take more of the request body (or can't).
    func upstreamWritabilityChanged(isWritable: Bool)
}

/// Why an exchange with the upstream failed, for a 502 or 504 that says so.
enum UpstreamConnectionFailure: Error {
    case connect(any Error)
    case connectTimeout
    case readTimeout
    /// Closed before the response ended; `beforeResponse` when not a byte of it came.
    case closed(beforeResponse: Bool)
    case malformed(any Error)
    /// The TLS handshake failed (an untrusted or mismatched certificate, most often).
    case tls(any Error)
}

/// One keep-alive HTTP/1.1 connection to the gateway's upstream, carrying one exchange at a time.
///
/// The last handler of an upstream channel (after NIO's client codec). It is only touched on its
/// channel's event loop, which is also the event loop of the client connection using it: the
/// pool hands out connections of the caller's own loop, so a request never changes threads.
/// (`@unchecked Sendable` only so a future can carry it to that same loop.)
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private weak var pool: UpstreamLoopPool?
    private var context: ChannelHandlerContext?
    private var sink: (any UpstreamResponseSink)?
    /// The sink whose answer ended in the current read: it still gets `upstreamReadComplete`.
    private var endedSink: (any UpstreamResponseSink)?
    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let maximumIdle: Int
    /// The last sign of life (request sent, bytes read); the timer compares against it.
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var responseStarted = false
    private var requestComplete = false
    private var keepAlive = true
    /// The answer is a `101`: once it ends, the connection is the exchange's tunnel, never the pool's.
    private var switchedProtocols = false
    /// Reading the upstream stops while the client is behind.
    private var readGate = ReadGate()
    private(set) var isActive = false
    /// Whether an exchange already went through (a reused connection may have been closed by the
    /// upstream meanwhile, so a failure before any response is worth one retry).
    private(set) var hasCarriedAnExchange = false

    init(pool: UpstreamLoopPool, readTimeout: TimeAmount, idleTimeout: TimeAmount, maximumIdle: Int) {
        self.pool = pool
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.maximumIdle = maximumIdle
    }

    var isIdle: Bool { isActive && sink == nil }

    // MARK: Used by the exchange

    /// Starts an exchange: the head goes out now, the body and end as the caller sends them.
    func start(_ head: HTTPRequestHead, sink: any UpstreamResponseSink) {
        guard let context else {
            sink.upstreamFailed(.closed(beforeResponse: true))
            return
        }
        self.sink = sink
        responseStarted = false
        switchedProtocols = false
        requestComplete = false
        keepAlive = head.isKeepAlive
        lastActivity = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    func sendBody(_ buffer: ByteBuffer) {
        lastActivity = .now()
        context?.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    /// Ends the request, with the client's trailer fields if it sent any.
    func sendEnd(trailers: HTTPHeaders? = nil) {
        lastActivity = .now()
        requestComplete = true
        context?.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// The connection's channel while it is in one.
    var channel: (any Channel)? { context?.channel }

    func resumeReading() {
        lastActivity = .now()
        readGate.resume(.peerBehind, context: context)
    }

    /// The exchange is abandoned (the client went away): the connection can't be reused.
    func abandon() {
        sink = nil
        close()
    }

    func close() {
        context?.close(promise: nil)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { becameActive(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    private func becameActive(context: ChannelHandlerContext) {
        guard !isActive else { return }
        isActive = true
        lastActivity = .now()
        scheduleTimer(in: min(readTimeout, idleTimeout))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // `lastActivity` moves on in channelReadComplete: once per read batch, and the timer never
        // runs in between.
        guard let sink else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            responseStarted = true
            if !head.isKeepAlive { keepAlive = false }
            if head.status == .switchingProtocols { switchedProtocols = true }
            sink.upstreamHead(head)
        case .body(let buffer):
            if !sink.upstreamBody(buffer) { readGate.pause(.peerBehind) }
        case .end(let trailers):
            self.sink = nil
            if switchedProtocols {
                // The sink takes the channel over (a tunnel replaces this handler) or closes it.
                sink.upstreamEnd(trailers: trailers)
                return
            }
            hasCarriedAnExchange = true
            // A pause for a slow client ends with its answer: the next exchange starts reading.
            resumeReading()
            // An answer that came before the whole request was sent leaves the connection mid-request.
            if keepAlive, requestComplete, let pool {
                pool.release(self, maximumIdle: maximumIdle)
                endedSink = sink
                sink.upstreamEnd(trailers: trailers)
            } else {
                sink.upstreamEnd(trailers: trailers)
                sink.upstreamReadComplete()
                context.close(promise: nil)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastActivity = .now()
        let target = sink ?? endedSink
        endedSink = nil
        target?.upstreamReadComplete()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        readGate.read(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sink?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Bytes after a complete answer (a body on a HEAD answer, an answer nobody asked for) fail
        // to parse in the same read: the answer already given still goes out, the connection not
        // again.
        flushEndedAnswer()
        // A reset or other I/O error is a closed connection (a stale pooled one is retried); only
        // what llhttp refused is a malformed answer.
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
            || error is CertificateNameMismatch
        {
            fail(.tls(error))
        } else if error is HTTPParserError {
            fail(.malformed(error))
        } else {
            fail(.closed(beforeResponse: !responseStarted))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        flushEndedAnswer()
        isActive = false
        timer?.cancel()
        timer = nil
        pool?.remove(self)
        fail(.closed(beforeResponse: !responseStarted))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed for a tunnel: its timer and the pool are done with this connection.
        timer?.cancel()
        timer = nil
        isActive = false
        pool?.remove(self)
        self.context = nil
    }

    /// The answer that ended in the current read is flushed even when that read ends in an error
    /// or a close (no `channelReadComplete` follows then).
    private func flushEndedAnswer() {
        guard let endedSink else { return }
        self.endedSink = nil
        endedSink.upstreamReadComplete()
    }

    private func fail(_ failure: UpstreamConnectionFailure) {
        guard let sink else { return }
        self.sink = nil
        sink.upstreamFailed(failure)
    }

    /// One timer per connection, not per request: it fires, looks at `lastActivity`, and either
    /// acts (504 for a silent upstream, closing an idle connection) or sleeps for the rest.
    private func scheduleTimer(in delay: TimeAmount) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard isActive, let context = self.context else { return }
            // Waiting for a slow client is not the upstream's silence.
            if readGate.isPaused { lastActivity = .now() }
            let silentFor = NIODeadline.now() - lastActivity
            let limit = sink == nil ? idleTimeout : readTimeout
            if silentFor >= limit {
                if sink != nil { fail(.readTimeout) }
                context.close(promise: nil)
            } else {
                // Never sleep longer than the shorter limit: an exchange may start while idle.
                scheduleTimer(in: min(limit - silentFor, min(readTimeout, idleTimeout)))
            }
        }
    }
}
#endif
