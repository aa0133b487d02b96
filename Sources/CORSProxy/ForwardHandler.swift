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
    typealias Machine = ForwardStateMachine<Exchange>

    /// One request on its way: what the machine does not need to know (the request, its plan,
    /// the upstream connection carrying it).
    final class Exchange {
        let request: HTTPRequestHead
        let plan: any ForwardPlan
        let start = ContinuousClock.now
        var connection: UpstreamConnection?
        /// When the plan's time limit runs out.
        var deadline: NIODeadline?

        init(request: HTTPRequestHead, plan: any ForwardPlan) {
            self.request = request
            self.plan = plan
        }

        /// What the plan's current hop allows.
        var hop: Machine.Hop {
            Machine.Hop(
                sendsBody: plan.sendsBody, requestBodyLimit: plan.requestBodyLimit,
                responseBodyLimit: plan.responseBodyLimit,
                idempotent: RequestFraming.idempotent.contains(plan.upstreamHead.method),
                tunnels: plan.tunnelLimits != nil)
        }
    }

    let route: any ForwardingRoute
    var context: ChannelHandlerContext?
    var machine: Machine
    /// Reading the client stops while its upload outruns the upstream (`peerBehind`), while
    /// pipelined requests queue up (`queueFull`) or while it does not read (`clientBehind`).
    private var readGate = ReadGate()
    /// The client's last request bytes, for closing connections idle past the configured limit.
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    /// One timer per connection for the exchanges' time limits, re-armed lazily (not a task
    /// scheduled and cancelled per request).
    private var deadlineTimer: Scheduled<Void>?
    private var upstreamPaused = false
    /// The client's address as text, looked up once per connection (`inet_ntop` is not free).
    lazy var clientAddress: String? = context?.channel.remoteAddress?.ipAddress
    /// Parts of an answer were written since the last flush.
    var flushPending = false
    /// The request being read asks to switch protocols (NIO's decoder reads nothing after it).
    private var requestStopsParsing = false

    init(route: any ForwardingRoute, limits: Machine.Limits = Machine.Limits()) {
        self.route = route
        self.machine = Machine(limits: limits)
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
            if machine.mayCloseIdle, silentFor >= limit {
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
        switch machine.received(part) {
        case .handle: handle(part, context: context)
        case .queued(let pause): if pause { readGate.pause(.queueFull) }
        case .ignore: break
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            machine.requestStarted()
            begin(head, context: context)
        case .body(let buffer):
            let exchange = machine.flight?.exchange
            switch machine.requestBody(buffer) {
            case .drop:
                break
            case .close:
                context.close(promise: nil)
            case .held(let pause):
                if pause { readGate.pause(.peerBehind) }
            case .send(let buffer):
                guard let exchange, let connection = exchange.connection else { return }
                connection.sendBody(buffer)
                // A failed write may have ended the exchange meanwhile: then nothing waits to resume.
                if isCurrent(exchange, on: connection), !connection.isWritable { readGate.pause(.peerBehind) }
            case .abort(let action):
                if let exchange { perform(action, for: exchange, context: context) }
            }
        case .end(let trailers):
            let exchange = machine.flight?.exchange
            let filtered = exchange.flatMap { exchange in
                trailers.map { exchange.plan.filterTrailers($0, fromUpstream: false) }
            }
            if requestStopsParsing { readGate.pause(.switching) }
            if machine.requestEnd(trailers: filtered) { exchange?.connection?.sendEnd(trailers: filtered) }
        }
    }

    /// The answer in flight is complete: the next pipelined request may go.
    func answerCompleted(context: ChannelHandlerContext) {
        while true {
            let (part, resume) = machine.nextQueuedPart()
            if let part {
                handle(part, context: context)
                continue
            }
            if resume { readGate.resume(.queueFull, context: context) }
            return
        }
    }

    /// A request NIO could not parse: 400 (431 for header fields over NIO's 80 KB limit) with a
    /// body that says what was wrong, then the connection closes; mid-answer it just closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let rejection =
            parserError == .headerOverflow
            ? ProxyRejection(
                .requestHeaderFieldsTooLarge, reason: "bad-request",
                "Request header fields too large: this server reads up to 80 KB of them.")
            : ProxyRejection(
                .badRequest, reason: "bad-request",
                "Bad request: not a valid HTTP/1.1 request: \(parserError.explanation).")
        let request = machine.flight?.exchange.request ?? HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        abort(.malformedRequest(rejection), context: context, answering: request)
    }

    /// On graceful shutdown, and when the client closed its side: close now if idle, else once
    /// the answer in flight is out.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let inputClosed = (event as? ChannelEvent) == .inputClosed
        guard event is ChannelShouldQuiesceEvent || inputClosed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if machine.quiesce(inputClosed: inputClosed) { context.close(promise: nil) }
    }

    func read(context: ChannelHandlerContext) {
        // A client that pipelines requests and never reads the answers (preflights and refusals
        // are answered here, at once) would grow the answers kept for it without bound: between
        // requests, nothing more is read while its side is not writable. A request body in
        // progress still flows (its upstream may answer before it has read it all).
        if !context.channel.isWritable, !machine.isReceivingRequest { readGate.pause(.clientBehind) }
        readGate.read(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            readGate.resume(.clientBehind, context: context)
            if upstreamPaused {
                upstreamPaused = false
                machine.flight?.exchange.connection?.resumeReading()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.clientClosed()?.connection?.abandon()
        context.fireChannelInactive()
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        route.metrics.countRequest()
        if head.method == .CONNECT {
            // Neither forwards tunnels. After a CONNECT, NIO's decoder reads no further request
            // and its encoder sends the answer without a body or length: 405, then close, so the
            // answer ends where the connection does instead of leaving it open and silent.
            machine.closeAfterThisAnswer()
            var rejection = ProxyRejection(
                .methodNotAllowed, reason: "connect", "Method not allowed: this server does not open tunnels (CONNECT)."
            )
            rejection.headerFields[.allow] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
            refuse(head, rejection, plan: nil, context: context)
            return
        }
        requestStopsParsing = UpgradeRequest.stopsParsing(head)
        // No request is parsed after this one: it is the connection's last, unless it becomes a tunnel.
        if requestStopsParsing { machine.closeAfterThisAnswer() }
        if let problem = HostField.problem(in: head) {
            refuse(head, ProxyRejection(.badRequest, reason: "bad-host", problem), plan: nil, context: context)
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
        if let coding = RequestFraming.unsupportedTransferCoding(head) {
            // NIO's codec can only re-frame a body as plain chunked: passing these bytes on would
            // hand the upstream a gzip (or other) body it was told nothing about.
            var rejection = ProxyRejection(
                .notImplemented, reason: "transfer-coding",
                "Not implemented: the request body's transfer coding \"\(coding)\" is not supported here; send "
                    + "it chunked or with a Content-Length (a compressed body: Content-Encoding).")
            if !RequestFraming.endsChunked(head) {
                // Then where the body ends can't be known: 400, and nothing after it is read
                // (RFC 9112 §6.3).
                rejection = ProxyRejection(
                    .badRequest, reason: "transfer-coding",
                    "Bad request: the body's length can't be known: chunked must be its last transfer coding.")
                machine.closeAfterThisAnswer()
            }
            refuse(head, rejection, plan: plan, context: context)
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
        machine.forward(exchange, hop: exchange.hop)
        if let limit = plan.timeLimit {
            let deadline = NIODeadline.now() + limit
            exchange.deadline = deadline
            armDeadlineTimer(at: deadline)
        }
        connect(exchange, fresh: false, context: context)
    }

    /// A refusal of ours, counted.
    private func refuse(
        _ head: HTTPRequestHead, _ rejection: ProxyRejection, plan: (any ForwardPlan)?, context: ChannelHandlerContext
    ) {
        route.metrics.rejected(rejection.reason)
        writeAnswer(head, rejection, plan: plan, since: .now, context: context)
    }

    private func connect(_ exchange: Exchange, fresh: Bool, context: ChannelHandlerContext) {
        if !fresh, let idle = exchange.plan.idleConnection(on: context.eventLoop) {
            send(exchange, on: idle)
            return
        }
        exchange.plan.lease(on: context.eventLoop, fresh: fresh).assumeIsolated().whenComplete { result in
            guard self.machine.isCurrent(exchange), let context = self.context else {
                // The client left meanwhile: the connection goes back unused.
                if case .success(let connection) = result { connection.abandon() }
                return
            }
            switch result {
            case .success(let connection):
                self.send(exchange, on: connection)
            case .failure(let rejection as ProxyRejection):
                self.abort(.refused(rejection), context: context)
            case .failure(let error):
                self.upstreamFailed((error as? UpstreamConnectionFailure) ?? .connect(error), exchange: exchange)
            }
        }
    }

    private func send(_ exchange: Exchange, on connection: UpstreamConnection) {
        guard let start = machine.connected(exchange) else {
            connection.abandon()
            return
        }
        exchange.connection = connection
        connection.start(exchange.plan.upstreamHead, sink: self)
        for part in start.heldParts where isCurrent(exchange, on: connection) {
            connection.sendBody(part)
        }
        if start.sendEnd, isCurrent(exchange, on: connection) { connection.sendEnd(trailers: start.trailers) }
        if !isCurrent(exchange, on: connection) || connection.isWritable { resumeReading() }
    }

    /// Whether `exchange` is still the one in flight on `connection` (a write that failed at once
    /// ends it from inside the call).
    private func isCurrent(_ exchange: Exchange, on connection: UpstreamConnection) -> Bool {
        machine.isCurrent(exchange) && exchange.connection === connection
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
        guard let exchange = machine.flight?.exchange, let deadline = exchange.deadline, let context else { return }
        if deadline <= .now() {
            let rejection = ProxyRejection(
                .gatewayTimeout, reason: "upstream-timeout",
                "Gateway timeout: \(exchange.plan.upstreamName) did not answer in time.")
            abort(.timedOut(rejection), context: context)
        } else {
            armDeadlineTimer(at: deadline)
        }
    }

    // MARK: Upstream side (UpstreamResponseSink)

    func upstreamHead(_ head: HTTPResponseHead) {
        guard let exchange = machine.flight?.exchange, let context else { return }
        route.metrics.observeUpstream(since: exchange.start)
        var headers: HTTPHeaders
        let verdict: Machine.HeadVerdict
        switch exchange.plan.answer(to: head) {
        case .relay(let relayed):
            headers = relayed
            verdict = .relay(status: Int(head.status.code))
        case .follow:
            headers = [:]
            verdict = .follow
        case .refuse(let rejection):
            headers = [:]
            verdict = .refuse(rejection)
        }
        switch machine.upstreamHead(verdict) {
        case .ignore:
            return
        case .drain:
            // The plan moved on to the redirect's target: what it allows holds from now on.
            machine.redirected(to: exchange.hop)
            return
        case .abort(let action):
            perform(action, for: exchange, context: context)
            return
        case .relay:
            break
        }
        let request = exchange.request
        // The handshake's answer keeps its `Connection: Upgrade`: the connection stays, as a tunnel.
        if head.status != .switchingProtocols {
            if !closes(after: request), request.version == .http1_0 {
                // An HTTP/1.0 client reads to the end of the connection unless told the length.
                let framed =
                    headers.contains(name: "content-length") || request.method == .HEAD
                    || head.status == .noContent || head.status == .notModified
                if framed {
                    headers.replaceOrAdd(name: "Connection", value: "keep-alive")
                } else {
                    machine.closeAfterThisAnswer()
                }
            }
            if closes(after: request) { headers.replaceOrAdd(name: "Connection", value: "close") }
        }
        exchange.plan.finish(&headers, status: head.status)
        let response = HTTPResponseHead(version: request.version, status: head.status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        flushPending = true
    }

    func upstreamBody(_ buffer: ByteBuffer) -> Bool {
        guard let exchange = machine.flight?.exchange, let context else { return true }
        switch machine.upstreamBody(bytes: buffer.readableBytes) {
        case .ignore, .dropped:
            return true
        case .nextHop:
            // A long redirect body is not read to its end: that connection goes, the next hop starts.
            exchange.connection?.abandon()
            nextHop(exchange, context: context)
            return false
        case .abort(let action):
            perform(action, for: exchange, context: context)
            return false
        case .relay:
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            flushPending = true
            // The client reads slower than the upstream sends: stop reading upstream until it catches up.
            if context.channel.isWritable { return true }
            upstreamPaused = true
            return false
        }
    }

    func upstreamEnd(trailers: HTTPHeaders?) {
        guard let exchange = machine.flight?.exchange, let context else { return }
        switch machine.upstreamEnd() {
        case .ignore:
            return
        case .nextHop:
            nextHop(exchange, context: context)
        case .tunnel:
            openTunnel(exchange, context: context)
        case .complete(let status):
            exchange.connection = nil
            upstreamPaused = false
            // An upload the upstream did not wait for: the rest of it is dropped, never buffered.
            resumeReading()
            log(exchange.request, status: status, since: exchange.start, context: context)
            // Trailers reach the client when its answer is chunked (NIO's encoder drops them otherwise).
            endAnswer(
                to: exchange.request, trailers: trailers.map { exchange.plan.filterTrailers($0, fromUpstream: true) },
                context: context)
        }
    }

    /// A redirect being followed: on to the plan's next hop, with a connection of its own.
    private func nextHop(_ exchange: Exchange, context: ChannelHandlerContext) {
        exchange.connection = nil
        connect(exchange, fresh: false, context: context)
    }

    func upstreamFailed(_ failure: UpstreamConnectionFailure) {
        guard let exchange = machine.flight?.exchange else { return }
        upstreamFailed(failure, exchange: exchange)
    }

    private func upstreamFailed(_ failure: UpstreamConnectionFailure, exchange: Exchange) {
        guard let context else { return }
        let reused = exchange.connection?.hasCarriedAnExchange ?? false
        // The connection failed by itself: there is nothing to abandon.
        exchange.connection = nil
        let rejection = UpstreamFailure.rejection(for: failure, upstream: exchange.plan.upstreamName)
        abort(.upstreamFailed(failure, rejection: rejection, reusedConnection: reused), context: context)
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable {
            resumeReading()
        } else {
            readGate.pause(.peerBehind)
        }
    }

    // MARK: The one way out of a failed exchange

    private func abort(
        _ cause: Machine.AbortCause, context: ChannelHandlerContext, answering request: HTTPRequestHead? = nil
    ) {
        let exchange = machine.flight?.exchange
        let action = machine.abort(cause)
        if let exchange {
            perform(action, for: exchange, context: context)
        } else if case .answer(let rejection) = action, let request {
            route.metrics.rejected(rejection.reason)
            writeAnswer(request, rejection, plan: nil, since: .now, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    /// Carries out what ``ForwardStateMachine/abort(_:)`` decided for `exchange`, whose upstream
    /// connection (if any) is abandoned first.
    private func perform(_ action: Machine.AbortAction, for exchange: Exchange, context: ChannelHandlerContext) {
        exchange.connection?.abandon()
        exchange.connection = nil
        switch action {
        case .retry:
            connect(exchange, fresh: true, context: context)
        case .answer(let rejection):
            route.metrics.rejected(rejection.reason)
            resumeReading()
            writeAnswer(exchange.request, rejection, plan: exchange.plan, since: exchange.start, context: context)
        case .cutShort(let status, let reason):
            if let reason { route.metrics.rejected(reason) }
            log(exchange.request, status: status, since: exchange.start, context: context)
            // What was written goes out first (a close drops unflushed writes): the client then sees
            // the head the log names and a body that stops short, not an empty reply.
            flushPending = false
            context.flush()
            context.close(promise: nil)
        case .close:
            context.close(promise: nil)
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
}
#endif
