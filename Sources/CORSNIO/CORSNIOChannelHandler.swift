#if NIO
public import CORS
import HTTPTypes
public import Logging
public import NIOCore
public import NIOHTTP1

/// Applies a `CORSPolicy` in a plain SwiftNIO HTTP/1 server pipeline.
///
/// Add it after the HTTP codec (and after `HTTPServerPipelineHandler` / the upgrade handler, which
/// `configureHTTPServerPipeline` installs) and before your own handler:
/// ```swift
/// try channel.pipeline.syncOperations.configureHTTPServerPipeline()
/// try channel.pipeline.syncOperations.addHandler(CORSNIOChannelHandler(policy))
/// try channel.pipeline.syncOperations.addHandler(MyHTTPHandler())
/// ```
/// Preflights are answered here; other requests go on, and each response head gets the headers of
/// its own request's decision. Requests may be pipelined (several in flight on one connection):
/// decisions wait in a FIFO, and an answer of ours waits until the responses before it are written.
///
/// A WebSocket upgrade (`GET` with `Upgrade: websocket`) from a browser origin the policy refuses
/// is answered 403 here (this is where NIO's upgrade handler forwards an upgrade its
/// `shouldUpgrade` declined; see `CORSPolicy/webSocketShouldUpgrade(then:)`).
///
/// An origin only the async `CORSConfiguration/originPredicate` can judge suspends the
/// connection's input (no `read()` is passed on, parts that already arrived are held) until the
/// predicate answers on a task; the event loop never blocks.
public final class CORSNIOChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    private enum Entry {
        /// The next handler answers; its response head gets this decision's headers.
        case forwarded(CORSDecision)
        /// We answer, once every earlier response is written.
        case answer(HTTPResponseHead, close: Bool)
    }

    private let source: PolicyReference
    /// The policy a request arriving now is decided by.
    public var policy: CORSPolicy { source.box.policy }
    private let logger: Logger
    private var entries = CircularBuffer<Entry>(initialCapacity: 2)
    /// Dropping the body of a request we answer ourselves.
    private var discarding = false
    /// Waiting for the origin predicate: input is held until it answers.
    private var suspended = false
    private var held = CircularBuffer<HTTPServerRequestPart>()
    private var readWanted = false
    private var removed = false

    /// Refusals go to `logger` at debug level (`CORSRejection/log(to:)`).
    public init(_ policy: CORSPolicy, logger: Logger = Logger(label: "swift-cors")) {
        self.source = PolicyReference(policy)
        self.logger = logger
    }

    /// Decides each request by the policy `holder` holds when the request's head arrives: a
    /// replacement applies to the requests after it, on this connection too.
    public init(_ holder: CORSPolicyHolder, logger: Logger = Logger(label: "swift-cors")) {
        self.source = PolicyReference(holder)
        self.logger = logger
    }

    /// Validates `configuration`; throws `CORSConfigurationError` naming every problem.
    public convenience init(
        _ configuration: CORSConfiguration, logger: Logger = Logger(label: "swift-cors")
    ) throws(CORSConfigurationError) {
        self.init(try CORSPolicy(configuration), logger: logger)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        while let part = held.popFirst() { context.fireChannelRead(wrapInboundOut(part)) }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if suspended {
            held.append(part)
        } else {
            process(part, context: context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if !suspended { context.fireChannelReadComplete() }
    }

    public func read(context: ChannelHandlerContext) {
        if suspended {
            readWanted = true
        } else {
            context.read()
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            // 1xx heads (100 Continue, 101 after an upgrade) are not the final response.
            if head.status.code >= 200, case .forwarded(let decision) = entries.first {
                head.headers.apply(decision)
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            if case .forwarded = entries.first { entries.removeFirst() }
            writeAnswersDue(context: context)
        }
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            switch source.box.policy.evaluate(head: head) {
            case .decided(let outcome):
                start(head, outcome: outcome, context: context)
            case .needsOriginPredicate(let pending):
                suspend(head, pending: pending, context: context)
            }
        case .body:
            if !discarding { context.fireChannelRead(wrapInboundOut(part)) }
        case .end:
            if discarding {
                discarding = false
            } else {
                context.fireChannelRead(wrapInboundOut(part))
            }
        }
    }

    private func start(_ head: HTTPRequestHead, outcome: CORSHeadOutcome, context: ChannelHandlerContext) {
        outcome.rejection?.log(to: logger)
        switch outcome {
        case .answer(let status, let headers, _):
            answer(head, status: status, fields: headers, context: context)
        case .forward(let decision):
            entries.append(.forwarded(decision))
            context.fireChannelRead(wrapInboundOut(.head(head)))
        }
    }

    private func answer(
        _ request: HTTPRequestHead, status: HTTPResponseStatus, fields: HTTPHeaders, context: ChannelHandlerContext
    ) {
        var headers = fields
        let close = !request.isKeepAlive
        if close { headers.replaceOrAdd(name: "Connection", value: "close") }
        discarding = true
        entries.append(
            .answer(HTTPResponseHead(version: request.version, status: status, headers: headers), close: close))
        if entries.count == 1 { writeAnswersDue(context: context) }
    }

    /// Writes our answers that no longer wait for an earlier response.
    private func writeAnswersDue(context: ChannelHandlerContext) {
        while case .answer(let head, let close) = entries.first {
            entries.removeFirst()
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if close {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func suspend(_ head: HTTPRequestHead, pending: PendingHeadOutcome, context: ChannelHandlerContext) {
        suspended = true
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: CORSHeadOutcome.self)
        promise.completeWithTask { await pending.resolve() }
        promise.futureResult.whenSuccess { outcome in
            let (handler, context) = bound.value
            handler.resume(head, outcome: outcome, context: context)
        }
    }

    private func resume(_ head: HTTPRequestHead, outcome: CORSHeadOutcome, context: ChannelHandlerContext) {
        guard !removed else { return }
        suspended = false
        start(head, outcome: outcome, context: context)
        while !suspended, let part = held.popFirst() { process(part, context: context) }
        guard !suspended else { return }
        context.fireChannelReadComplete()
        if readWanted {
            readWanted = false
            context.read()
        }
    }
}

/// The name before the adapters were named alike (`CORSHummingbirdMiddleware`, `CORSVaporMiddleware`,
/// `CORSNIOChannelHandler`).
@available(*, deprecated, renamed: "CORSNIOChannelHandler")
public typealias CORSChannelHandler = CORSNIOChannelHandler
#endif
