#if Tools
import CORSNIO
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The last handler of a gateway or proxy connection: asks its ``ForwardingRoute`` what to do
/// with each request, sends it upstream on a pooled connection of this connection's own event
/// loop, and writes the answer back as it arrives.
///
/// It does NIO's pipelining assistance itself: a request that arrives while the previous answer
/// is still going out waits in a short queue (reading stops when it grows), and on
/// `ChannelShouldQuiesceEvent` the connection closes once the answer in flight is complete. Doing
/// it here rather than with `HTTPServerPipelineHandler` saves re-arming the socket's read interest
/// twice per request.
///
/// Nothing leaves the event loop (but the proxy's DNS lookups): no task per request, no hop
/// between threads, which is what lets small requests go through at close to nginx's pace. Bodies
/// stream both ways with backpressure: an upload stops being read while the upstream is behind,
/// and the upstream's answer stops being read while the client is.
final class ForwardHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamResponseSink {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// One request on its way: what to send upstream, and how far it got.
    final class Exchange {
        let request: HTTPRequestHead
        let plan: any ForwardPlan
        let start = ContinuousClock.now
        var connection: UpstreamConnection?
        /// Body parts that arrived before the upstream connection was ready.
        var waitingParts: [ByteBuffer] = []
        var waitingBytes = 0
        var requestEnded = false
        /// The client's trailer fields, passed on with the end of the body.
        var requestTrailers: HTTPHeaders?
        var bodySent = false
        var retried = false
        /// The current answer is a redirect being followed: its body is dropped.
        var draining = false
        var drainedBytes = 0
        var requestBodyBytes = 0
        var responseBodyBytes = 0
        /// When the plan's time limit runs out.
        var deadline: NIODeadline?
        /// The status sent to the client once its head went out (0 before).
        var sentStatus = 0

        init(request: HTTPRequestHead, plan: any ForwardPlan) {
            self.request = request
            self.plan = plan
        }
    }

    private let route: any ForwardingRoute
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    /// Reading the client stops while its upload outruns the upstream (`peerBehind`) or while
    /// pipelined requests queue up (`queueFull`).
    private var readGate = ReadGate()
    /// Parts of pipelined requests that arrived while an answer was still in flight.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var queuedBytes = 0
    /// Between a request's head and its end.
    private var receivingRequest = false
    /// After a 413: how much more of that upload is read and dropped before the connection closes.
    private var discardBudget: Int?
    /// Close once the answer in flight is complete (graceful shutdown, the client half-closed).
    private var closeAfterAnswer = false
    /// This answer can only end by closing (an HTTP/1.0 client and no length to frame it with).
    private var closeThisAnswer = false
    /// The client's last request bytes, for closing connections idle past the configured limit.
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    /// One timer per connection for the exchanges' time limits, re-armed lazily (not a task
    /// scheduled and cancelled per request).
    private var deadlineTimer: Scheduled<Void>?
    private var upstreamPaused = false
    /// The client's address as text, looked up once per connection (`inet_ntop` is not free).
    private lazy var clientAddress: String? = context?.channel.remoteAddress?.ipAddress
    /// Parts of an answer were written since the last flush.
    private var flushPending = false

    init(route: any ForwardingRoute) {
        self.route = route
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        scheduleIdleCheck(in: route.clientIdleTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        deadlineTimer?.cancel()
        self.context = nil
    }

    /// One timer per connection: a client silent for the idle limit between requests (or one
    /// that never completes its request head) is closed, so it can't hold a socket forever.
    private func scheduleIdleCheck(in delay: TimeAmount) {
        guard let context else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard let context = self.context else { return }
            let limit = route.clientIdleTimeout
            let silentFor = NIODeadline.now() - lastActivity
            if exchange == nil, queued.isEmpty, silentFor >= limit {
                context.close(promise: nil)
            } else {
                scheduleIdleCheck(in: silentFor >= limit ? limit : limit - silentFor)
            }
        }
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        let part = unwrapInboundIn(data)
        if !queued.isEmpty || (exchange != nil && isHead(part)) {
            enqueue(part)
        } else {
            handle(part, context: context)
        }
    }

    private func isHead(_ part: HTTPServerRequestPart) -> Bool {
        if case .head = part { return true }
        return false
    }

    private func enqueue(_ part: HTTPServerRequestPart) {
        queued.append(part)
        if case .body(let buffer) = part { queuedBytes += buffer.readableBytes }
        if queued.count > 32 || queuedBytes > 256 * 1024 { readGate.pause(.queueFull) }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            receivingRequest = true
            begin(head, context: context)
        case .body(let buffer):
            if exchange == nil, let budget = discardBudget {
                discardBudget = budget - buffer.readableBytes
                if budget < buffer.readableBytes { context.close(promise: nil) }
                return
            }
            // No exchange (answered already) or a redirect turned it into a GET: the rest is dropped.
            guard let exchange, exchange.plan.sendsBody else { return }
            exchange.requestBodyBytes += buffer.readableBytes
            if let limit = exchange.plan.requestBodyLimit, exchange.requestBodyBytes > limit {
                refuseUpload(exchange, limit: limit, context: context)
                return
            }
            if let connection = exchange.connection {
                exchange.bodySent = true
                connection.sendBody(buffer)
                // A failed write may have ended the exchange meanwhile: then nothing waits to resume.
                if isCurrent(exchange, on: connection), !connection.isWritable { readGate.pause(.peerBehind) }
            } else {
                exchange.waitingParts.append(buffer)
                exchange.waitingBytes += buffer.readableBytes
                if exchange.waitingBytes > 256 * 1024 { readGate.pause(.peerBehind) }
            }
        case .end(let trailers):
            receivingRequest = false
            discardBudget = nil
            guard let exchange else { return }
            exchange.requestEnded = true
            exchange.requestTrailers = trailers.map { exchange.plan.filterTrailers($0, fromUpstream: false) }
            if exchange.plan.sendsBody { exchange.connection?.sendEnd(trailers: exchange.requestTrailers) }
        }
    }

    /// A body past the plan's limit: the upstream never gets the end of it; 413 unless the answer
    /// already started (then the connection is cut).
    private func refuseUpload(_ exchange: Exchange, limit: Int, context: ChannelHandlerContext) {
        exchange.connection?.abandon()
        exchange.connection = nil
        guard exchange.sentStatus == 0 else {
            cutShort(exchange, context: context)
            return
        }
        fail(
            exchange,
            with: ProxyRejection(
                .contentTooLarge, reason: "body-too-large",
                "Request body too large: this proxy accepts at most \(limit) bytes."),
            context: context)
        // The rest of the upload is read and dropped (closing now could reset the connection before
        // the client reads the 413), but not without end.
        if receivingRequest { discardBudget = Self.discardLimit }
    }

    /// The answer in flight is complete: the next pipelined request may go.
    private func answerCompleted(context: ChannelHandlerContext) {
        while exchange == nil || !isHead(queued.first ?? .end(nil)), let part = queued.popFirst() {
            if case .body(let buffer) = part { queuedBytes -= buffer.readableBytes }
            handle(part, context: context)
        }
        if queued.count <= 32, queuedBytes <= 256 * 1024 { readGate.resume(.queueFull, context: context) }
    }

    /// A request NIO could not parse: 400 (431 for header fields over NIO's 80 KB limit) with a
    /// body that says what was wrong, then the connection closes; mid-answer it just closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if let exchange {
            clear(exchange)
            exchange.connection?.abandon()
            if exchange.sentStatus != 0 {
                // Half an answer is out: all that is left is to cut it short.
                context.close(promise: nil)
                return
            }
        }
        queued.removeAll()
        let (status, message): (HTTPResponseStatus, String) =
            parserError == .headerOverflow
            ? (.requestHeaderFieldsTooLarge, "Request header fields too large: this server reads up to 80 KB of them.")
            : (.badRequest, "Bad request: not a valid HTTP/1.1 request: \(parserError.explanation).")
        route.metrics.rejected("bad-request")
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        writeText(status: status, message, request: request, connection: "close", context: context)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// On graceful shutdown, and when the client closed its side: close now if idle, else once
    /// the answer in flight is out.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let inputClosed = (event as? ChannelEvent) == .inputClosed
        guard event is ChannelShouldQuiesceEvent || inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if exchange == nil, !receivingRequest, queued.isEmpty || inputClosed {
            context.close(promise: nil)
        } else {
            closeAfterAnswer = true
        }
    }

    func read(context: ChannelHandlerContext) {
        // A client that pipelines requests and never reads the answers (preflights and refusals
        // are answered here, at once) would grow the answers kept for it without bound: between
        // requests, nothing more is read while its side is not writable. A request body in
        // progress still flows (its upstream may answer before it has read it all).
        if !context.channel.isWritable, !receivingRequest { readGate.pause(.clientBehind) }
        readGate.read(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            readGate.resume(.clientBehind, context: context)
            if upstreamPaused {
                upstreamPaused = false
                exchange?.connection?.resumeReading()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange {
            clear(exchange)
            exchange.connection?.abandon()
        }
        context.fireChannelInactive()
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        route.metrics.countRequest()
        if head.method == .CONNECT {
            // Neither forwards tunnels. After a CONNECT, NIO's decoder reads no further request
            // and its encoder sends the answer without a body or length: 405, then close, so the
            // answer ends where the connection does instead of leaving it open and silent.
            closeThisAnswer = true
            var rejection = ProxyRejection(
                .methodNotAllowed, reason: "connect", "Method not allowed: this server does not open tunnels (CONNECT)."
            )
            rejection.headerFields[.allow] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
            route.metrics.rejected(rejection.reason)
            writeAnswer(head, rejection, plan: nil, since: .now, context: context)
            return
        }
        if let problem = HostField.problem(in: head) {
            let rejection = ProxyRejection(.badRequest, reason: "bad-host", problem)
            route.metrics.rejected(rejection.reason)
            writeAnswer(head, rejection, plan: nil, since: .now, context: context)
            return
        }
        let plan: any ForwardPlan
        switch route.decide(head, clientAddress: clientAddress) {
        case .answer(let answer):
            if answer.status.code >= 400 { route.metrics.rejected(answer.reason) }
            writeAnswer(head, answer, plan: nil, since: .now, context: context)
            return
        case .respond(let status, let headers):
            writeBodiless(head, status: status, headers: headers, context: context)
            return
        case .forward(let forward):
            plan = forward
        }
        if let coding = Self.unsupportedTransferCoding(head) {
            // NIO's codec can only re-frame a body as plain chunked: passing these bytes on would
            // hand the upstream a gzip (or other) body it was told nothing about.
            var rejection = ProxyRejection(
                .notImplemented, reason: "transfer-coding",
                "Not implemented: the request body's transfer coding \"\(coding)\" is not supported here; send "
                    + "it chunked or with a Content-Length (a compressed body: Content-Encoding).")
            if !Self.endsChunked(head) {
                // Then where the body ends can't be known: 400, and nothing after it is read
                // (RFC 9112 §6.3).
                rejection = ProxyRejection(
                    .badRequest, reason: "transfer-coding",
                    "Bad request: the body's length can't be known: chunked must be its last transfer coding.")
                closeThisAnswer = true
            }
            route.metrics.rejected(rejection.reason)
            writeAnswer(head, rejection, plan: plan, since: .now, context: context)
            return
        }
        if head.version.minor >= 1, head.headers.contains(name: "expect"),
            head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" })
        {
            // The client waits for this before sending its body (nginx answers it the same way).
            let interim = HTTPResponseHead(version: head.version, status: .continue)
            context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
        }
        let exchange = Exchange(request: head, plan: plan)
        self.exchange = exchange
        if let limit = plan.timeLimit {
            let deadline = NIODeadline.now() + limit
            exchange.deadline = deadline
            armDeadlineTimer(at: deadline)
        }
        connect(exchange, context: context)
    }

    private func connect(_ exchange: Exchange, context: ChannelHandlerContext) {
        if !exchange.retried, let idle = exchange.plan.idleConnection(on: context.eventLoop) {
            send(exchange, on: idle)
            return
        }
        exchange.plan.lease(on: context.eventLoop, fresh: exchange.retried).assumeIsolated().whenComplete { result in
            guard exchange === self.exchange, let context = self.context else {
                // The client left meanwhile: the connection goes back unused.
                if case .success(let connection) = result { connection.abandon() }
                return
            }
            switch result {
            case .success(let connection):
                self.send(exchange, on: connection)
            case .failure(let rejection as ProxyRejection):
                self.fail(exchange, with: rejection, context: context)
            case .failure(let error):
                self.fail(exchange, (error as? UpstreamConnectionFailure) ?? .connect(error), context: context)
            }
        }
    }

    private func send(_ exchange: Exchange, on connection: UpstreamConnection) {
        exchange.connection = connection
        connection.start(exchange.plan.upstreamHead, sink: self)
        guard exchange.plan.sendsBody else {
            exchange.waitingParts.removeAll()
            exchange.waitingBytes = 0
            connection.sendEnd()
            resumeReading()
            return
        }
        let waiting = exchange.waitingParts
        exchange.waitingParts.removeAll()
        exchange.waitingBytes = 0
        for part in waiting where isCurrent(exchange, on: connection) {
            exchange.bodySent = true
            connection.sendBody(part)
        }
        if exchange.requestEnded, isCurrent(exchange, on: connection) {
            connection.sendEnd(trailers: exchange.requestTrailers)
        }
        if !isCurrent(exchange, on: connection) || connection.isWritable { resumeReading() }
    }

    /// Whether `exchange` is still the one in flight on `connection` (a write that failed at once
    /// ends it from inside the call).
    private func isCurrent(_ exchange: Exchange, on connection: UpstreamConnection) -> Bool {
        self.exchange === exchange && exchange.connection === connection
    }

    private func resumeReading() {
        readGate.resume(.peerBehind, context: context)
    }

    /// A timer already set fires no later than `deadline` (the limit is the route's, the same for
    /// every exchange, and they start one after the other): it then re-arms for the exchange of
    /// that moment.
    private func armDeadlineTimer(at deadline: NIODeadline) {
        guard deadlineTimer == nil, let context else { return }
        deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.deadlineTimerFired()
        }
    }

    private func deadlineTimerFired() {
        deadlineTimer = nil
        guard let exchange, let deadline = exchange.deadline else { return }
        if deadline <= .now() {
            timedOut(exchange)
        } else {
            armDeadlineTimer(at: deadline)
        }
    }

    /// The plan's time limit passed: 504, or the answer is cut short if it started.
    private func timedOut(_ exchange: Exchange) {
        guard let context else { return }
        exchange.connection?.abandon()
        exchange.connection = nil
        let rejection = ProxyRejection(
            .gatewayTimeout, reason: "upstream-timeout",
            "Gateway timeout: \(exchange.plan.upstreamName) did not answer in time.")
        guard exchange.sentStatus == 0 else {
            route.metrics.rejected(rejection.reason)
            cutShort(exchange, context: context)
            return
        }
        fail(exchange, with: rejection, context: context)
    }

    // MARK: Upstream side (UpstreamResponseSink)

    func upstreamHead(_ head: HTTPResponseHead) {
        guard let exchange, let context else { return }
        route.metrics.observeUpstream(since: exchange.start)
        var headers: HTTPHeaders
        switch exchange.plan.answer(to: head) {
        case .relay(let relayed):
            headers = relayed
        case .follow:
            exchange.draining = true
            return
        case .refuse(let rejection):
            exchange.connection?.abandon()
            exchange.connection = nil
            fail(exchange, with: rejection, context: context)
            return
        }
        let request = exchange.request
        if !closes(after: request), request.version == .http1_0 {
            // An HTTP/1.0 client reads to the end of the connection unless told the length.
            let framed =
                headers.contains(name: "content-length") || request.method == .HEAD
                || head.status == .noContent || head.status == .notModified
            if framed {
                headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            } else {
                closeThisAnswer = true
            }
        }
        if closes(after: request) { headers.replaceOrAdd(name: "Connection", value: "close") }
        exchange.plan.finish(&headers, status: head.status)
        exchange.sentStatus = Int(head.status.code)
        let response = HTTPResponseHead(version: request.version, status: head.status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        flushPending = true
    }

    func upstreamBody(_ buffer: ByteBuffer) -> Bool {
        guard let exchange, let context else { return true }
        if exchange.draining {
            exchange.drainedBytes += buffer.readableBytes
            if exchange.drainedBytes > Self.drainLimit {
                // A long redirect body is not read to its end: that connection goes, the next hop starts.
                exchange.connection?.abandon()
                followRedirect(exchange, context: context)
                return false
            }
            return true
        }
        if let limit = exchange.plan.responseBodyLimit {
            exchange.responseBodyBytes += buffer.readableBytes
            if exchange.responseBodyBytes > limit {
                // The head is out: all that can be done is to cut the answer short.
                exchange.connection?.abandon()
                route.metrics.rejected("response-too-large")
                cutShort(exchange, context: context)
                return false
            }
        }
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        flushPending = true
        // The client reads slower than the upstream sends: stop reading upstream until it catches up.
        if context.channel.isWritable { return true }
        upstreamPaused = true
        return false
    }

    func upstreamEnd(trailers: HTTPHeaders?) {
        guard let exchange, let context else { return }
        if exchange.draining {
            followRedirect(exchange, context: context)
            return
        }
        exchange.connection = nil
        clear(exchange)
        upstreamPaused = false
        // An upload the upstream did not wait for: the rest of it is dropped, never buffered.
        resumeReading()
        log(exchange.request, status: exchange.sentStatus, since: exchange.start, context: context)
        // Trailers reach the client when its answer is chunked (NIO's encoder drops them otherwise).
        endAnswer(
            to: exchange.request, trailers: trailers.map { exchange.plan.filterTrailers($0, fromUpstream: true) },
            context: context)
    }

    /// A redirect being followed: on to the plan's next hop, with a connection of its own.
    private func followRedirect(_ exchange: Exchange, context: ChannelHandlerContext) {
        exchange.connection = nil
        exchange.draining = false
        exchange.drainedBytes = 0
        exchange.retried = false
        exchange.bodySent = false
        connect(exchange, context: context)
    }

    /// The most of a followed redirect's body read (and dropped) before its connection is closed
    /// instead.
    static let drainLimit = 64 * 1024
    /// The most of a refused upload read (and dropped) after its 413 before the connection closes.
    static let discardLimit = 1024 * 1024

    func upstreamFailed(_ failure: UpstreamConnectionFailure) {
        guard let exchange, let context else { return }
        fail(exchange, failure, context: context)
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable {
            resumeReading()
        } else {
            readGate.pause(.peerBehind)
        }
    }

    private func fail(_ exchange: Exchange, _ failure: UpstreamConnectionFailure, context: ChannelHandlerContext) {
        let reused = exchange.connection?.hasCarriedAnExchange ?? false
        exchange.connection = nil
        guard exchange.sentStatus == 0 else {
            cutShort(exchange, context: context)
            return
        }
        // A kept-alive connection the upstream closed while idle: the request never reached it.
        if case .closed(beforeResponse: true) = failure, reused, !exchange.bodySent, !exchange.retried,
            Self.idempotent.contains(exchange.plan.upstreamHead.method)
        {
            exchange.retried = true
            connect(exchange, context: context)
            return
        }
        fail(
            exchange, with: UpstreamFailure.rejection(for: failure, upstream: exchange.plan.upstreamName),
            context: context)
    }

    /// Answers `rejection` in place of the upstream's answer (none of which was sent).
    private func fail(_ exchange: Exchange, with rejection: ProxyRejection, context: ChannelHandlerContext) {
        route.metrics.rejected(rejection.reason)
        clear(exchange)
        resumeReading()
        writeAnswer(exchange.request, rejection, plan: exchange.plan, since: exchange.start, context: context)
    }

    /// The answer already started and can't be finished: closing the connection is the only way
    /// left to tell the client it is incomplete.
    private func cutShort(_ exchange: Exchange, context: ChannelHandlerContext) {
        clear(exchange)
        log(exchange.request, status: exchange.sentStatus, since: exchange.start, context: context)
        // What was written goes out first (a close drops unflushed writes): the client then sees
        // the head the log names and a body that stops short, not an empty reply.
        flushPending = false
        context.flush()
        context.close(promise: nil)
    }

    /// The exchange is over (answered, failed, abandoned): the next may start.
    private func clear(_ exchange: Exchange) {
        if self.exchange === exchange { self.exchange = nil }
    }

    /// The first transfer coding other than `chunked` (RFC 9112 §6.1: a server answers one it
    /// does not implement with 501), nil when there is none.
    static func unsupportedTransferCoding(_ head: HTTPRequestHead) -> String? {
        guard head.headers.contains(name: "transfer-encoding") else { return nil }
        for value in head.headers["transfer-encoding"] {
            for coding in value.split(separator: ",") {
                let name = coding.trimmingASCIISpaces()
                if !name.isEmpty, !ASCII.equalsIgnoringCase(name, "chunked") { return String(name) }
            }
        }
        return nil
    }

    /// Whether the last transfer coding of the request's body is `chunked` (which frames it).
    static func endsChunked(_ head: HTTPRequestHead) -> Bool {
        guard let last = head.headers["transfer-encoding"].last?.split(separator: ",").last else { return false }
        return ASCII.equalsIgnoringCase(last.trimmingASCIISpaces(), "chunked")
    }

    /// Methods safe to send twice (RFC 9110 §9.2.2): only these are retried.
    static let idempotent: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE]

    // MARK: Answers of our own

    /// A plain-text answer of ours (help, a refusal, upstream down or slow); `plan` finishes its
    /// head when it answers a forwarded request.
    private func writeAnswer(
        _ request: HTTPRequestHead, _ answer: ProxyRejection, plan: (any ForwardPlan)?,
        since start: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        writeText(
            status: HTTPResponseStatus(statusCode: answer.status.code), answer.message, request: request,
            connection: connectionField(for: request), extraFields: answer.headerFields, plan: plan, context: context)
        log(request, status: answer.status.code, since: start, context: context)
        endAnswer(to: request, flushNow: true, context: context)
    }

    /// An answer the route made whole (a preflight's): its head, as it is, and the end.
    private func writeBodiless(
        _ request: HTTPRequestHead, status: HTTPResponseStatus, headers: HTTPHeaders, context: ChannelHandlerContext
    ) {
        var headers = headers
        if let connection = connectionField(for: request) {
            headers.replaceOrAdd(name: "Connection", value: connection)
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        log(request, status: Int(status.code), since: .now, context: context)
        endAnswer(to: request, flushNow: true, context: context)
    }

    /// `Connection` for an answer of ours: `close` when the connection ends after it,
    /// `keep-alive` for an HTTP/1.0 client that keeps it.
    private func connectionField(for request: HTTPRequestHead) -> String? {
        closes(after: request) ? "close" : request.version == .http1_0 ? "keep-alive" : nil
    }

    /// The head and body (not the end) of a `text/plain` answer (no body for `HEAD`).
    private func writeText(
        status: HTTPResponseStatus, _ message: String, request: HTTPRequestHead, connection: String?,
        extraFields: HTTPFields = [:], plan: (any ForwardPlan)? = nil, context: ChannelHandlerContext
    ) {
        let body = ByteBuffer(string: message.isEmpty || message.hasSuffix("\n") ? message : message + "\n")
        var headers = HTTPHeaders()
        if body.readableBytes > 0 { headers.add(name: "Content-Type", value: "text/plain; charset=utf-8") }
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        for field in extraFields { headers.add(name: field.name.rawName, value: field.value) }
        if let connection { headers.add(name: "Connection", value: connection) }
        if let plan {
            plan.finish(&headers, status: status)
        } else {
            route.finish(&headers, status: status, request: request)
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        if request.method != .HEAD, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
    }

    /// Whether the connection closes once the answer to `request` is out.
    private func closes(after request: HTTPRequestHead) -> Bool {
        !request.isKeepAlive || closeAfterAnswer || closeThisAnswer
    }

    /// Ends the answer; then either closes the connection or lets the next pipelined request go.
    /// An answer relayed from the upstream is flushed when the upstream's read completes.
    private func endAnswer(
        to request: HTTPRequestHead, trailers: HTTPHeaders? = nil, flushNow: Bool = false,
        context: ChannelHandlerContext
    ) {
        if closes(after: request) {
            closeThisAnswer = false
            queued.removeAll()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        } else {
            context.write(wrapOutboundOut(.end(trailers)), promise: nil)
            if flushNow {
                flushPending = false
                context.flush()
            } else {
                flushPending = true
            }
            answerCompleted(context: context)
        }
    }

    // MARK: Helpers

    /// Flushes once the upstream's current batch of reads is delivered: a small answer read at
    /// once (head, body and end) leaves in one write, a streamed one chunk by chunk, and no task
    /// is scheduled for it (scheduling one per answer measured worse in p99).
    func upstreamReadComplete() {
        guard flushPending, let context else { return }
        flushPending = false
        context.flush()
    }

    private func log(
        _ request: HTTPRequestHead, status: Int, since start: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        AccessLog.record(
            route.logger, method: request.method.rawValue, path: request.uri, status: status, since: start,
            client: clientAddress)
    }
}
#endif
