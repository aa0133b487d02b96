import AsyncHTTPClient
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The gateway's last handler: sends each request upstream through AsyncHTTPClient on this
/// connection's event loop and writes the answer back as it arrives.
///
/// It sits behind `HTTPServerPipelineHandler` (one request at a time) and ``CORSNIO/CORSChannelHandler``
/// (which answered preflights and refusals and puts the policy's headers on every head written
/// here). Nothing leaves the event loop: no task per request, no hop between threads, which is
/// what lets small requests go through at nginx's pace. Bodies stream both ways with
/// backpressure: an upload stops being read while the upstream is behind, and the upstream's
/// answer stops being read while the client is.
final class GatewayForwardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: GatewayRoute
    private var exchange: UpstreamExchange?
    private var readPaused = false
    private var readPending = false
    private var flushScheduled = false
    private var writableWaiters: [EventLoopPromise<Void>] = []

    init(route: GatewayRoute) {
        self.route = route
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            forward(head, context: context)
        case .body(let buffer):
            guard let upload = exchange?.upload else { return }
            upload.append(buffer)
            if upload.isAboveHighWatermark { readPaused = true }
        case .end:
            exchange?.upload?.finish()
        }
    }

    func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = writableWaiters
            writableWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange {
            self.exchange = nil
            exchange.upload?.fail(ChannelError.ioOnClosedChannel)
            exchange.task?.cancel()
        }
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for waiter in waiters { waiter.fail(ChannelError.ioOnClosedChannel) }
        context.fireChannelInactive()
    }

    private func forward(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.uri.hasPrefix("/") else {
            answer(
                head, status: .badRequest, reason: "bad-target",
                message: "Bad request: the gateway forwards origin-form targets (/path?query), not \(head.uri).",
                context: context)
            return
        }
        var headers = HopByHop.forwardableRequestHeaders(head.headers)
        let clientHost = head.headers.first(name: "host")
        headers.add(name: "Host", value: route.hostField(clientHost: clientHost))
        ForwardedFields.add(
            to: &headers, clientAddress: context.channel.remoteAddress?.ipAddress, originalHost: clientHost)

        var upload: RequestBodyRelay?
        var body: HTTPClient.Body?
        let length = head.headers.first(name: "content-length").flatMap { Int64($0) }
        if length == 0 {
            body = .byteBuffer(ByteBuffer())
        } else if length != nil || head.headers.contains(name: "transfer-encoding") {
            let relay = RequestBodyRelay(eventLoop: context.eventLoop)
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            relay.onDrain = { bound.value.handler.resumeReading(context: bound.value.context) }
            upload = relay
            body = relay.body(contentLength: length)
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: route.url(for: head.uri), method: head.method, headers: headers, body: body)
        } catch {
            answer(
                head, status: .badRequest, reason: "bad-target",
                message: "Bad request: \(head.uri) is not a path the gateway can forward.", context: context)
            return
        }
        route.metrics.countRequest()
        let exchange = UpstreamExchange(request: head, upload: upload, handler: self, context: context)
        self.exchange = exchange
        exchange.task = route.client.execute(
            request: request, delegate: exchange, eventLoop: .delegate(on: context.eventLoop),
            deadline: nil, logger: nil)
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readPaused else { return }
        readPaused = false
        if readPending {
            readPending = false
            context.read()
        }
    }

    // MARK: Upstream side (called by UpstreamExchange)

    func upstreamHead(_ head: HTTPResponseHead, of exchange: UpstreamExchange, context: ChannelHandlerContext) {
        guard exchange === self.exchange else { return }
        route.metrics.observeUpstream(since: exchange.start)
        var headers = HopByHop.forwardableResponseHeaders(head.headers)
        if !exchange.request.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        exchange.sentStatus = Int(head.status.code)
        let response = HTTPResponseHead(version: exchange.request.version, status: head.status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        scheduleFlush(context: context)
    }

    func upstreamBody(
        _ buffer: ByteBuffer, of exchange: UpstreamExchange, context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        guard exchange === self.exchange else { return context.eventLoop.makeSucceededVoidFuture() }
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        scheduleFlush(context: context)
        if context.channel.isWritable { return context.eventLoop.makeSucceededVoidFuture() }
        // The client reads slower than the upstream sends: stop reading upstream until it catches up.
        let waiter = context.eventLoop.makePromise(of: Void.self)
        writableWaiters.append(waiter)
        return waiter.futureResult
    }

    func upstreamFinished(_ exchange: UpstreamExchange, context: ChannelHandlerContext) {
        guard exchange === self.exchange else { return }
        finish(exchange, status: exchange.sentStatus, context: context)
    }

    func upstreamFailed(_ error: any Error, of exchange: UpstreamExchange, context: ChannelHandlerContext) {
        guard exchange === self.exchange else { return }
        exchange.upload?.fail(error)
        guard exchange.sentStatus == 0 else {
            // The answer already started: all that is left is to cut it short, which the client sees.
            self.exchange = nil
            log(exchange.request, status: exchange.sentStatus, since: exchange.start, context: context)
            context.close(promise: nil)
            return
        }
        let rejection = UpstreamFailure.rejection(for: error, upstream: route.configuration.upstream.hostField)
        route.metrics.rejected(rejection.reason)
        self.exchange = nil
        resumeReading(context: context)
        writeAnswer(exchange.request, rejection: rejection, since: exchange.start, context: context)
    }

    private func finish(_ exchange: UpstreamExchange, status: Int, context: ChannelHandlerContext) {
        self.exchange = nil
        // An upload the upstream did not wait for: the rest of it is dropped, never buffered.
        exchange.upload?.fail(ChannelError.outputClosed)
        resumeReading(context: context)
        log(exchange.request, status: status, since: exchange.start, context: context)
        if exchange.request.isKeepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            scheduleFlush(context: context)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    // MARK: Answers of our own

    private func answer(
        _ request: HTTPRequestHead, status: HTTPResponse.Status, reason: String, message: String,
        context: ChannelHandlerContext
    ) {
        route.metrics.rejected(reason)
        writeAnswer(request, rejection: ProxyRejection(status, reason: reason, message), since: .now, context: context)
    }

    /// A plain-text answer from the gateway itself (bad target, upstream down or slow).
    private func writeAnswer(
        _ request: HTTPRequestHead, rejection: ProxyRejection, since start: ContinuousClock.Instant,
        context: ChannelHandlerContext
    ) {
        let body = ByteBuffer(string: rejection.message + "\n")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        for field in rejection.headerFields { headers.add(name: field.name.rawName, value: field.value) }
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: rejection.status.code)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        log(request, status: rejection.status.code, since: start, context: context)
        if request.isKeepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    // MARK: Helpers

    /// Flushes once the event loop finished its current batch of reads: a small answer (head,
    /// body and end read from the upstream at once) leaves in one write, a streamed one chunk by chunk.
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    private func log(
        _ request: HTTPRequestHead, status: Int, since start: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        AccessLog.record(
            route.logger, method: request.method.rawValue, path: request.uri, status: status, since: start,
            client: context.channel.remoteAddress?.ipAddress)
    }
}
