#if NIO
public import CORS
public import Logging
public import NIOCore
public import NIOHTTP1

/// Refuses WebSocket upgrades from browser origins the policy refuses, *before* an upgrade
/// handler sees them: 403, `Connection: close`, no upgrade.
///
/// For servers whose upgrade handler answers a declined upgrade with a fixed status (Hummingbird's
/// answers 400): insert it right after the HTTP request decoder. It lets every other request
/// through and, with `removeAfterFirstRequest` (upgrades only happen on a connection's first
/// request there), leaves the pipeline once it has seen one, so WebSocket frames never reach it.
/// Origins only the async predicate can judge are let through to the upgrade handler's own
/// `shouldUpgrade` (use `CORSPolicy/webSocketUpgradeAllowed(path:headerFields:)` there).
public final class CORSWebSocketOriginGuard: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart

    private let source: PolicyReference
    /// The policy whose WebSocket rule (`CORSPolicy.webSocketVerdict(path:headerFields:)`) judges an
    /// upgrade arriving now.
    public var policy: CORSPolicy { source.box.policy }
    private let removeAfterFirstRequest: Bool
    private let logger: Logger
    private var refusing = false

    /// Refusals go to `logger` at debug level (`CORSRejection/log(to:)`).
    public init(
        _ policy: CORSPolicy, removeAfterFirstRequest: Bool = false, logger: Logger = Logger(label: "swift-cors")
    ) {
        self.source = PolicyReference(policy)
        self.removeAfterFirstRequest = removeAfterFirstRequest
        self.logger = logger
    }

    /// Judges each upgrade by the policy `holder` holds when the upgrade's head arrives.
    public init(
        _ holder: CORSPolicyHolder, removeAfterFirstRequest: Bool = false,
        logger: Logger = Logger(label: "swift-cors")
    ) {
        self.source = PolicyReference(holder)
        self.removeAfterFirstRequest = removeAfterFirstRequest
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard case .head(let head) = part else {
            if !refusing { context.fireChannelRead(data) }
            return
        }
        if head.method == .GET, head.headers.isWebSocketUpgrade,
            case .refused(let rejection) = source.box.policy.webSocketVerdict(
                path: head.uri, headerFields: head.headers.corsRequestFields)
        {
            rejection.log(to: logger)
            refusing = true
            let headers: HTTPHeaders = ["Content-Length": "0", "Connection": "close"]
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .forbidden, headers: headers))),
                promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
        if removeAfterFirstRequest { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }
}
#endif
