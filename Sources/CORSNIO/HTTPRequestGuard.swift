#if NIO
public import NIOCore
public import NIOHTTP1

/// Protects an HTTP/1 server pipeline from clients that never finish a request head (one header
/// byte every few seconds holds a connection, and its memory, for as long as the client likes)
/// and, optionally, answers requests NIO's parser refused.
///
/// Add it with `syncOperations.addHTTPRequestGuard(headerTimeout:parserErrorAnswer:)` right after the pipeline's
/// `HTTPRequestDecoder`. A head's clock starts with its first byte (or, when the client sent it
/// while an earlier request was being answered, when that answer ended) and stops at the decoded
/// head; when it runs out the client gets `408` and the connection closes. A connection idle
/// between requests is not timed here (that is an idle timeout's job), and neither are bytes of
/// a next head that came in the same read as the previous request's end, until more arrive: the
/// decoder holds them and says nothing. After a `101` (WebSocket) the guard steps aside.
///
/// A parse error in a pipelined request is answered (`400`, or `431` for header fields over the
/// decoder's limits) once the requests before it are, then the connection closes.
public final class HTTPRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = Any
    public typealias OutboundOut = Any

    /// How this guard answers a parse error: `nil` leaves the error to the handlers behind it.
    public struct ParserErrorAnswer: Sendable {
        /// What the decoder allows, in words, for the 431's text ("up to 1,000 fields and 80 KB").
        public var headerLimits: String

        /// Uses `headerLimits` as written: the words that follow "this server reads" in the 431's text.
        public init(headerLimits: String) {
            self.headerLimits = headerLimits
        }

        /// The text for a decoder that reads at most `maxHeaderFields` fields of `maxHeaderBytes`.
        public init(maxHeaderFields: Int, maxHeaderBytes: Int) {
            self.init(headerLimits: "up to \(maxHeaderFields) fields and \(maxHeaderBytes / 1024) KB")
        }
    }

    let headerTimeout: TimeAmount
    let parserErrorAnswer: ParserErrorAnswer?

    private var context: ChannelHandlerContext?
    /// Requests whose head was read and whose answer has not ended.
    private var unanswered = 0
    /// Between a request's end and the next head.
    private var awaitingHead = true
    /// Bytes came in since `awaitingHead` became true.
    private var bytesWhileAwaitingHead = false
    private var newestRequestComplete = true
    private var answerHeadWritten = false
    /// When the head in progress must be in; the one timer checks it lazily (no task scheduled and
    /// cancelled per request).
    private var headDeadline: NIODeadline?
    private var timer: Scheduled<Void>?
    /// A parse error waiting for the requests before the broken one to be answered.
    private var deferredParserError: HTTPParserError?
    /// The deferred error broke the newest request, whose head the application has: answer it
    /// when that request is the only one left.
    private var deferredErrorBrokeNewest = false
    /// The guard answered (408, 400, 431) or closed: nothing more is read or timed.
    private var closing = false
    /// After a `101`: what comes is another protocol's, and goes through untouched.
    private var passingThrough = false

    init(headerTimeout: TimeAmount, parserErrorAnswer: ParserErrorAnswer?) {
        self.headerTimeout = headerTimeout
        self.parserErrorAnswer = parserErrorAnswer
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// Told by ``RequestBytesSignal`` in front of the decoder.
    func bytesArrived() {
        guard awaitingHead, !bytesWhileAwaitingHead, !closing, !passingThrough, deferredParserError == nil else {
            return
        }
        // The next head's first byte: its clock starts now, unless an answer is still being
        // written (then it starts when the last one ends).
        bytesWhileAwaitingHead = true
        if unanswered == 0 { startHeadTimer() }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if passingThrough { return context.fireChannelRead(data) }
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            awaitingHead = false
            newestRequestComplete = false
            headDeadline = nil
        case .end:
            awaitingHead = true
            bytesWhileAwaitingHead = false
            newestRequestComplete = true
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !passingThrough, !closing, let part = unwrapOutboundIn(data) as? HTTPServerResponsePart else {
            context.write(data, promise: promise)
            return
        }
        switch part {
        case .head(let head) where head.status == .switchingProtocols:
            // The connection speaks another protocol from here on.
            passingThrough = true
            headDeadline = nil
            context.write(data, promise: promise)
        case .head(let head) where head.status.code >= 200:
            answerHeadWritten = true
            context.write(data, promise: promise)
        case .end:
            answerHeadWritten = false
            unanswered = max(0, unanswered - 1)
            context.write(data, promise: promise)
            if let error = deferredParserError {
                // Answered once every request before the broken one is.
                guard unanswered == (deferredErrorBrokeNewest ? 1 : 0) else { return }
                deferredParserError = nil
                answerParserError(error, context: context)
            } else if unanswered == 0, awaitingHead, bytesWhileAwaitingHead {
                // The next head began while this answer was written: its clock starts now.
                startHeadTimer()
            }
        case .head, .body:
            context.write(data, promise: promise)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserErrorAnswer != nil, !passingThrough, !closing,
            deferredParserError == nil
        else {
            context.fireErrorCaught(error)
            return
        }
        headDeadline = nil
        if unanswered == 0 || (!newestRequestComplete && unanswered == 1 && !answerHeadWritten) {
            answerParserError(parserError, context: context)
        } else if !newestRequestComplete && unanswered == 1 {
            // The request being answered is itself broken and half its answer is out: cut it short.
            closing = true
            context.close(promise: nil)
        } else {
            // A later pipelined request is broken: the ones before it are answered first.
            deferredParserError = parserError
            deferredErrorBrokeNewest = !newestRequestComplete
        }
    }

    private func startHeadTimer() {
        guard let context else { return }
        let deadline = context.eventLoop.now + headerTimeout
        headDeadline = deadline
        if timer == nil { scheduleCheck(at: deadline, context: context) }
    }

    private func scheduleCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let context = self.context, !closing, !passingThrough, deferredParserError == nil,
                let due = headDeadline
            else { return }
            if context.eventLoop.now < due {
                scheduleCheck(at: due, context: context)
                return
            }
            headDeadline = nil
            guard awaitingHead, unanswered == 0, bytesWhileAwaitingHead else { return }
            let seconds = headerTimeout.nanoseconds / 1_000_000_000
            answer(
                status: .requestTimeout,
                "Request timeout: the request's header fields did not arrive within \(seconds) s.\n",
                context: context)
        }
    }

    private func answerParserError(_ error: HTTPParserError, context: ChannelHandlerContext) {
        if error == .headerOverflow {
            let limits = parserErrorAnswer?.headerLimits ?? "a limited amount"
            answer(
                status: .requestHeaderFieldsTooLarge,
                "Request header fields too large: this server reads \(limits).\n", context: context)
        } else {
            answer(
                status: .badRequest, "Bad request: not a valid HTTP/1.1 request: \(error.explanation).\n",
                context: context)
        }
    }

    private func answer(status: HTTPResponseStatus, _ text: String, context: ChannelHandlerContext) {
        closing = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(wrapOutboundOut(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}

/// Tells the ``HTTPRequestGuard`` behind the decoder that request bytes came in: the decoder
/// itself says nothing until a whole head is parsed.
final class RequestBytesSignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let requestGuard: HTTPRequestGuard

    init(_ requestGuard: HTTPRequestGuard) {
        self.requestGuard = requestGuard
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        requestGuard.bytesArrived()
        context.fireChannelRead(data)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds an ``HTTPRequestGuard`` right after the pipeline's `HTTPRequestDecoder` (and its byte
    /// signal right before it).
    /// - Parameters:
    ///   - headerTimeout: how long a request head may take from its first byte.
    ///   - parserErrorAnswer: answer requests the decoder refused (400, or 431 for header fields
    ///     over its limits) and close; `nil` leaves that to the handlers behind.
    public func addHTTPRequestGuard(
        headerTimeout: TimeAmount, parserErrorAnswer: HTTPRequestGuard.ParserErrorAnswer?
    ) throws {
        let decoder = try handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        let requestGuard = HTTPRequestGuard(headerTimeout: headerTimeout, parserErrorAnswer: parserErrorAnswer)
        try addHandler(requestGuard, position: .after(decoder))
        try addHandler(RequestBytesSignal(requestGuard), position: .before(decoder))
    }
}
#endif
