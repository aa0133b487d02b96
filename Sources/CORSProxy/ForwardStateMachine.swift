#if Tools
import HTTPTypes
import NIOCore
import NIOHTTP1

/// What one client connection of the gateway or the proxy is doing, without I/O: the requests
/// it received, the one in flight and how far its answer got. ``ForwardHandler`` feeds it each
/// event (a request part, the upstream's answer, a failure, a timer) and carries out the action
/// it returns, so every rule of the exchange is here, testable as a table.
///
/// One request is answered at a time; pipelined ones wait in a short queue. The answer goes
/// through these phases:
///
///     idle ──forward──▶ connecting ──connected──▶ awaitingAnswer ──head──▶ relaying ──end──▶ idle
///                           ▲                          │   └─redirect─▶ drainingRedirect ─┘
///                           └────────── retry / next hop ──────────────────────┘
///
/// and whatever goes wrong goes through ``abort(_:)``, the one way out of a failed exchange: our
/// own answer while none of the upstream's is out, otherwise the connection is cut. The request
/// side is ``Upload``: receiving a body, or discarding what is left of one we refused.
///
/// `Exchange` is the handler's per-request object (the request, its plan, the upstream
/// connection); the machine only compares it by identity, to tell a late event from a current one.
struct ForwardStateMachine<Exchange: AnyObject> {
    /// The limits of one connection.
    struct Limits {
        /// Pipelined request parts held behind the answer in flight before reading stops.
        var queuedParts = 32
        /// Body bytes of pipelined requests held the same way.
        var queuedBytes = 256 * 1024
        /// Request body bytes held while the upstream connection is being made before reading stops.
        var bufferedUploadBytes = 256 * 1024
        /// The most of a followed redirect's body read (and dropped) before its connection is cut.
        var redirectDrainBytes = 64 * 1024
        /// The most of a refused upload read (and dropped) after its 413 before the connection closes.
        var refusedUploadBytes = 1024 * 1024
    }

    /// What the current hop of a forwarded request allows.
    struct Hop {
        /// Whether the client's body goes upstream (not after a redirect turned the request into a GET).
        var sendsBody: Bool
        var requestBodyLimit: Int?
        var responseBodyLimit: Int?
        /// Whether the request may be sent twice (RFC 9110 §9.2.2).
        var idempotent: Bool
        /// Whether an upstream's `101` makes the connection a tunnel (a WebSocket handshake the
        /// policy let through).
        var tunnels = false
    }

    enum Phase: Equatable {
        /// Waiting for a connection to the current hop's upstream; the body, if any, is held.
        case connecting
        /// The request is on its way (or went) upstream; no answer yet.
        case awaitingAnswer
        /// The upstream's answer is going to the client: its head, with this status, is out.
        case relaying(status: Int)
        /// A redirect is being followed: this answer's body is dropped (this much so far).
        case drainingRedirect(dropped: Int)
    }

    /// A forwarded request in flight.
    struct Flight {
        let exchange: Exchange
        var phase: Phase
        var hop: Hop
        /// Body parts that arrived before the upstream connection was ready.
        var heldParts: [ByteBuffer] = []
        var heldBytes = 0
        var requestEnded = false
        /// The client's trailer fields, passed on with the end of the body.
        var requestTrailers: HTTPHeaders?
        var bodySent = false
        var retried = false
        var requestBodyBytes = 0
        var responseBodyBytes = 0

        /// The status the client was sent; nil before the head went out.
        var sentStatus: Int? {
            if case .relaying(let status) = phase { status } else { nil }
        }
    }

    enum State {
        case idle
        case forwarding(Flight)
        /// The connection is closing: nothing more is done.
        case closed
        /// The upstream switched protocols: the connection is a ``Tunnel`` now, this machine is done.
        case tunnelling
        /// Only while a flight is changed in place, so its held parts are not copied on write.
        case modifying
    }

    /// The request side of the connection.
    enum Upload: Equatable {
        /// Between requests.
        case none
        /// Between a request's head and its end.
        case receiving
        /// Reading and dropping the rest of a body we refused, at most this much more.
        case discarding(remaining: Int)
    }

    let limits: Limits
    private(set) var state = State.idle
    private(set) var upload = Upload.none
    /// Parts of pipelined requests that arrived while an answer was in flight.
    private var queue = CircularBuffer<HTTPServerRequestPart>()
    private var queuedBytes = 0
    /// Close once the answer in flight is complete (graceful shutdown, the client half-closed).
    private(set) var closeAfterAnswer = false
    /// This answer can only end by closing (no length to frame it with, or nothing after it can be read).
    private(set) var closeThisAnswer = false

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    var flight: Flight? {
        if case .forwarding(let flight) = state { flight } else { nil }
    }

    var isIdle: Bool {
        if case .idle = state { true } else { false }
    }

    /// Whether `exchange` is the request in flight (a late event of an ended one is ignored).
    func isCurrent(_ exchange: Exchange) -> Bool {
        flight?.exchange === exchange
    }

    // MARK: The client's side

    enum ReadAction: Equatable {
        /// Handle the part now.
        case handle
        /// The connection is closing: the part is dropped.
        case ignore
        /// It waits behind the answer in flight; `pauseReading` when the queue is full.
        case queued(pauseReading: Bool)
    }

    /// A request part arrived: a head while another request is answered waits, and so does
    /// everything behind a waiting part.
    mutating func received(_ part: HTTPServerRequestPart) -> ReadAction {
        if isClosed { return .ignore }
        let isHead = Self.isHead(part)
        guard !queue.isEmpty || (flight != nil && isHead) else { return .handle }
        queue.append(part)
        if case .body(let buffer) = part { queuedBytes += buffer.readableBytes }
        return .queued(pauseReading: queueIsFull)
    }

    private var queueIsFull: Bool { queue.count > limits.queuedParts || queuedBytes > limits.queuedBytes }

    /// The next waiting part that may be handled now (the answer before it is complete), if any;
    /// `resumeReading` once the queue has room again.
    mutating func nextQueuedPart() -> (part: HTTPServerRequestPart?, resumeReading: Bool) {
        if isClosed { return (nil, false) }
        if let first = queue.first, flight == nil || !Self.isHead(first) {
            let part = queue.removeFirst()
            if case .body(let buffer) = part { queuedBytes -= buffer.readableBytes }
            return (part, false)
        }
        return (nil, !queueIsFull)
    }

    private static func isHead(_ part: HTTPServerRequestPart) -> Bool {
        if case .head = part { true } else { false }
    }

    /// A request's head is being handled (its answer decided by the handler).
    mutating func requestStarted() {
        upload = .receiving
    }

    /// The answer about to be written is the connection's last: nothing after this request can
    /// be read safely (CONNECT, a body whose end can't be known).
    mutating func closeAfterThisAnswer() {
        closeThisAnswer = true
    }

    /// The request is forwarded: connect to its first hop.
    mutating func forward(_ exchange: Exchange, hop: Hop) {
        state = .forwarding(Flight(exchange: exchange, phase: .connecting, hop: hop))
    }

    enum BodyAction {
        /// Nothing goes anywhere (no request in flight, or its hop sends no body).
        case drop
        /// Send it on the upstream connection now.
        case send(ByteBuffer)
        /// Held until the connection is ready; `pauseReading` when too much is held.
        case held(pauseReading: Bool)
        /// Past what is discarded after a refusal: close.
        case close
        /// Past the hop's limit: abort with this action.
        case abort(AbortAction)
    }

    mutating func requestBody(_ buffer: ByteBuffer) -> BodyAction {
        if case .discarding(let remaining) = upload, flight == nil {
            upload = .discarding(remaining: remaining - buffer.readableBytes)
            return remaining < buffer.readableBytes ? .close : .drop
        }
        guard case .forwarding(var flight) = state, flight.hop.sendsBody else { return .drop }
        flight.requestBodyBytes += buffer.readableBytes
        if let limit = flight.hop.requestBodyLimit, flight.requestBodyBytes > limit {
            state = .forwarding(flight)
            return .abort(abort(.uploadTooLarge(limit: limit)))
        }
        if flight.phase == .connecting {
            // Appended with the state not holding the flight too, or every part would copy them all.
            state = .modifying
            flight.heldParts.append(buffer)
            flight.heldBytes += buffer.readableBytes
            state = .forwarding(flight)
            return .held(pauseReading: flight.heldBytes > limits.bufferedUploadBytes)
        }
        flight.bodySent = true
        state = .forwarding(flight)
        return .send(buffer)
    }

    /// The request's end arrived; returns whether to send the end upstream now (with these trailers).
    mutating func requestEnd(trailers: HTTPHeaders?) -> Bool {
        upload = .none
        guard case .forwarding(var flight) = state else { return false }
        flight.requestEnded = true
        flight.requestTrailers = trailers
        state = .forwarding(flight)
        switch flight.phase {
        case .awaitingAnswer, .relaying: return flight.hop.sendsBody
        // Sent once connected (the next hop's connection, after a redirect).
        case .connecting, .drainingRedirect: return false
        }
    }

    // MARK: The upstream's side

    /// What to send on a connection that just became ready for the flight.
    struct Start {
        var heldParts: [ByteBuffer]
        /// Send the end of the request (with these trailers) after the parts.
        var sendEnd: Bool
        var trailers: HTTPHeaders?
    }

    /// A connection for the current hop is ready: returns what to send on it, nil when `exchange`
    /// is no longer in flight (the connection goes back unused).
    mutating func connected(_ exchange: Exchange) -> Start? {
        guard case .forwarding(var flight) = state, flight.exchange === exchange, flight.phase == .connecting else {
            return nil
        }
        state = .modifying
        flight.phase = .awaitingAnswer
        let parts = flight.hop.sendsBody ? flight.heldParts : []
        flight.heldParts = []
        flight.heldBytes = 0
        if !parts.isEmpty { flight.bodySent = true }
        state = .forwarding(flight)
        // Without a body to send, the end goes at once; with one, when the client's end came.
        let sendEnd = !flight.hop.sendsBody || flight.requestEnded
        return Start(heldParts: parts, sendEnd: sendEnd, trailers: flight.hop.sendsBody ? flight.requestTrailers : nil)
    }

    enum HeadAction {
        /// Write the upstream's head, with this status, to the client.
        case relay
        /// Drop this answer: a redirect is followed.
        case drain
        case abort(AbortAction)
        /// Not for the flight (a late event).
        case ignore
    }

    /// What the plan said about the upstream's answer head.
    enum HeadVerdict {
        case relay(status: Int)
        case follow
        case refuse(ProxyRejection)
    }

    mutating func upstreamHead(_ verdict: HeadVerdict) -> HeadAction {
        guard case .forwarding(var flight) = state, flight.phase == .awaitingAnswer else { return .ignore }
        switch verdict {
        case .relay(let status):
            flight.phase = .relaying(status: status)
            state = .forwarding(flight)
            return .relay
        case .follow:
            flight.phase = .drainingRedirect(dropped: 0)
            state = .forwarding(flight)
            return .drain
        case .refuse(let rejection):
            return .abort(abort(.refused(rejection)))
        }
    }

    enum UpstreamBodyAction {
        /// Write it to the client.
        case relay
        /// Dropped (a redirect's body).
        case dropped
        /// A redirect's body too long to read to its end: cut its connection and go to the next hop.
        case nextHop
        case abort(AbortAction)
        case ignore
    }

    mutating func upstreamBody(bytes: Int) -> UpstreamBodyAction {
        guard case .forwarding(var flight) = state else { return .ignore }
        switch flight.phase {
        case .drainingRedirect(let dropped):
            let total = dropped + bytes
            if total > limits.redirectDrainBytes {
                followRedirect(&flight)
                state = .forwarding(flight)
                return .nextHop
            }
            flight.phase = .drainingRedirect(dropped: total)
            state = .forwarding(flight)
            return .dropped
        case .relaying:
            flight.responseBodyBytes += bytes
            state = .forwarding(flight)
            if let limit = flight.hop.responseBodyLimit, flight.responseBodyBytes > limit {
                return .abort(abort(.responseTooLarge))
            }
            return .relay
        case .connecting, .awaitingAnswer:
            return .ignore
        }
    }

    enum UpstreamEndAction {
        /// The answer is complete: end it (then ``answerEnded(keepAlive:)``).
        case complete(status: Int)
        /// The redirect's answer is over: connect to the next hop.
        case nextHop
        /// The `101` is out: the connection becomes a tunnel.
        case tunnel
        case ignore
    }

    mutating func upstreamEnd() -> UpstreamEndAction {
        guard case .forwarding(var flight) = state else { return .ignore }
        switch flight.phase {
        case .drainingRedirect:
            followRedirect(&flight)
            state = .forwarding(flight)
            return .nextHop
        case .relaying(let status):
            if status == 101, flight.hop.tunnels {
                state = .tunnelling
                return .tunnel
            }
            state = .idle
            return .complete(status: status)
        case .connecting, .awaitingAnswer:
            return .ignore
        }
    }

    /// On to the plan's next hop (the handler asks the plan what it allows with ``redirected(to:)``).
    private func followRedirect(_ flight: inout Flight) {
        flight.phase = .connecting
        flight.retried = false
        flight.bodySent = false
    }

    /// The plan moved on to a redirect's target, which allows `hop`.
    mutating func redirected(to hop: Hop) {
        guard case .forwarding(var flight) = state else { return }
        flight.hop = hop
        state = .forwarding(flight)
    }

    // MARK: Failures: one way out

    enum AbortCause {
        /// The request body passed the hop's limit.
        case uploadTooLarge(limit: Int)
        /// The answer's body passed the hop's limit (its head is out).
        case responseTooLarge
        /// The exchange's time limit passed.
        case timedOut(ProxyRejection)
        /// The plan refused the target or the upstream's answer.
        case refused(ProxyRejection)
        /// The upstream connection failed; `reusedConnection` when it had carried an exchange
        /// before (an idle kept-alive connection the upstream may have closed meanwhile).
        case upstreamFailed(UpstreamConnectionFailure, rejection: ProxyRejection, reusedConnection: Bool)
        /// The client's bytes are not HTTP.
        case malformedRequest(ProxyRejection)
    }

    enum AbortAction {
        /// Answer the client with this instead of the upstream's answer (none of it went out);
        /// `countAs` is the metrics' rejection reason.
        case answer(ProxyRejection)
        /// Part of the answer is out: flush what was written and close, which is the only way
        /// left to tell the client it is incomplete. `status` is the one sent (for the access
        /// log); `countAs` a rejection reason to count, if any.
        case cutShort(status: Int, countAs: String?)
        /// Try the same request again on a fresh connection.
        case retry
        /// Nothing is in flight (or the connection is closing already): just close.
        case close
    }

    /// Ends the flight because of `cause`.
    mutating func abort(_ cause: AbortCause) -> AbortAction {
        guard case .forwarding(var flight) = state else {
            if case .malformedRequest(let rejection) = cause, !isClosed {
                return abortIdle(rejection)
            }
            return .close
        }
        if let status = flight.sentStatus {
            state = .closed
            return .cutShort(status: status, countAs: cause.rejectionReason)
        }
        switch cause {
        case .upstreamFailed(.closed(beforeResponse: true), _, reusedConnection: true)
        where !flight.bodySent && !flight.retried && flight.hop.idempotent:
            // A kept-alive connection the upstream closed while idle: the request never reached it.
            flight.retried = true
            flight.phase = .connecting
            state = .forwarding(flight)
            return .retry
        case .uploadTooLarge(let limit):
            state = .idle
            // The rest of the upload is read and dropped (closing now could reset the connection
            // before the client reads the 413), but not without end.
            if upload == .receiving { upload = .discarding(remaining: limits.refusedUploadBytes) }
            return .answer(
                ProxyRejection(
                    .contentTooLarge, reason: "body-too-large",
                    "Request body too large: this proxy accepts at most \(limit) bytes."))
        case .malformedRequest(let rejection):
            return abortIdle(rejection)
        case .responseTooLarge:
            // Only reachable once the head is out; kept total.
            state = .closed
            return .close
        case .timedOut(let rejection), .refused(let rejection), .upstreamFailed(_, let rejection, _):
            state = .idle
            return .answer(rejection)
        }
    }

    /// Closed, or a tunnel: either way no request is handled any more.
    private var isClosed: Bool {
        switch state {
        case .closed, .tunnelling: true
        case .idle, .forwarding, .modifying: false
        }
    }

    /// A malformed request: our answer, then close; whatever waited is dropped.
    private mutating func abortIdle(_ rejection: ProxyRejection) -> AbortAction {
        queue.removeAll()
        queuedBytes = 0
        closeThisAnswer = true
        state = .idle
        return .answer(rejection)
    }

    // MARK: The end of an answer

    enum AnswerEnd: Equatable {
        /// Close the connection once the end is written.
        case close
        /// Keep it: the next pipelined request may go.
        case keepAlive
    }

    /// Whether the connection closes after the answer to a request with `keepAlive`.
    func closes(keepAlive: Bool) -> Bool {
        !keepAlive || closeAfterAnswer || closeThisAnswer
    }

    /// The answer to a request with `keepAlive` is written whole.
    mutating func answerEnded(keepAlive: Bool) -> AnswerEnd {
        if closes(keepAlive: keepAlive) {
            closeThisAnswer = false
            queue.removeAll()
            queuedBytes = 0
            state = .closed
            return .close
        }
        return .keepAlive
    }

    /// The connection is to be cut now (an answer cut short).
    mutating func cut() {
        state = .closed
    }

    // MARK: Connection events

    /// Graceful shutdown, or the client closed its side: returns whether to close now (nothing
    /// in flight); otherwise the connection closes after the answer in flight.
    mutating func quiesce(inputClosed: Bool) -> Bool {
        if flight == nil, upload == .none, queue.isEmpty || inputClosed { return true }
        closeAfterAnswer = true
        return false
    }

    /// Between a request's head and its end (a refused body being discarded included).
    var isReceivingRequest: Bool { upload != .none }

    /// Whether a client silent this long may be closed: nothing in flight or waiting.
    var mayCloseIdle: Bool {
        if case .tunnelling = state { return false }
        return flight == nil && queue.isEmpty
    }

    /// The client is gone: returns the exchange in flight, whose upstream connection is abandoned.
    mutating func clientClosed() -> Exchange? {
        let exchange = flight?.exchange
        state = .closed
        return exchange
    }
}

extension ForwardStateMachine.AbortCause {
    /// The metrics' rejection reason for a cut-short answer.
    var rejectionReason: String? {
        switch self {
        case .uploadTooLarge: nil
        case .responseTooLarge: "response-too-large"
        case .timedOut(let rejection): rejection.reason
        case .refused, .upstreamFailed, .malformedRequest: nil
        }
    }
}
#endif
