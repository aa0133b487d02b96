#if Tools
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The answers `ForwardHandler` writes itself (refusals, help, preflights, upstream failures) and
/// the end of every answer: whether the connection closes after it, or the next request goes.
extension ForwardHandler {
    /// A plain-text answer of ours (help, a refusal, upstream down or slow); `plan` finishes its
    /// head when it answers a forwarded request.
    func writeAnswer(
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
    func writeBodiless(
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
    func connectionField(for request: HTTPRequestHead) -> String? {
        closes(after: request) ? "close" : request.version == .http1_0 ? "keep-alive" : nil
    }

    /// The head and body (not the end) of a `text/plain` answer (no body for `HEAD`).
    func writeText(
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
    func closes(after request: HTTPRequestHead) -> Bool {
        machine.closes(keepAlive: request.isKeepAlive)
    }

    /// Ends the answer; then either closes the connection or lets the next pipelined request go.
    /// An answer relayed from the upstream is flushed when the upstream's read completes.
    func endAnswer(
        to request: HTTPRequestHead, trailers: HTTPHeaders? = nil, flushNow: Bool = false,
        context: ChannelHandlerContext
    ) {
        switch machine.answerEnded(keepAlive: request.isKeepAlive) {
        case .close:
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        case .keepAlive:
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

    func log(
        _ request: HTTPRequestHead, status: Int, since start: ContinuousClock.Instant, context: ChannelHandlerContext
    ) {
        AccessLog.record(
            route.logger, method: request.method.rawValue, path: request.uri, status: status, since: start,
            client: clientAddress)
    }
}
#endif
