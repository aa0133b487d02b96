#if Tools
import CORS
import CORSNIO
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// What every gateway connection shares: the upstream, the pool of connections to it, the policy,
/// the log and the counters.
///
/// The policy is applied here, inline, when it decides synchronously (a policy file always does):
/// one handler less on every request's way measured 5-10 % of the gateway's throughput. A policy
/// with an async origin predicate is applied by `CORSNIOChannelHandler` ahead of
/// ``ForwardHandler`` instead. Both decide through `CORSPolicy.evaluate(head:)`.
final class GatewayRoute: ForwardingRoute {
    let configuration: GatewayConfiguration
    let pool: UpstreamPool
    let logger: Logger
    let metrics = ProxyMetrics(prefix: "cors_gateway")
    /// The upstream URL's path without query and trailing `/`: request targets are appended to it.
    let basePath: String
    /// The upstream's own `Host` (computed once: every request carries it).
    let upstreamHost: String
    /// Where each request's policy is read from.
    let policySource: PolicyReference
    /// Whether this route applies the policy; false when CORSNIOChannelHandler does (a fixed policy
    /// with an async origin predicate). A live policy is always applied here.
    let appliesPolicy: Bool

    init(configuration: GatewayConfiguration, pool: UpstreamPool, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        var base = Substring(configuration.upstream.pathAndQuery)
        if let query = base.firstIndex(of: "?") { base = base[..<query] }
        while base.hasSuffix("/") { base = base.dropLast() }
        self.basePath = String(base)
        self.upstreamHost = configuration.upstream.hostField
        self.policySource = configuration.policySource
        switch configuration.policySource {
        case .fixed(let box): self.appliesPolicy = box.policy.decidesSynchronously
        case .live: self.appliesPolicy = true
        }
    }

    var clientIdleTimeout: TimeAmount { configuration.clientIdleTimeout }
    var headerTimeout: TimeAmount { configuration.headerTimeout }

    func decide(_ head: HTTPRequestHead, clientAddress: String?) -> RouteDecision {
        var decision: CORSDecision?
        if appliesPolicy {
            // Read once: a replacement while this request is in flight does not change its decision.
            switch policySource.box.policy.evaluate(head: head) {
            case .decided(.answer(let status, let headers, let refused)):
                refused?.log(to: logger)
                return .respond(status, headers)
            case .decided(.forward(let forwarded)):
                forwarded.logRejection(to: logger)
                decision = forwarded
            case .needsOriginPredicate:
                // A fixed inline policy has no origin predicate (`decidesSynchronously`); a live one
                // may, and the gateway cannot wait for it here: refuse rather than forward without
                // a decision.
                logger.error(
                    "the gateway's policy holder holds a policy with an async origin predicate, which the gateway cannot apply: request refused (500)"
                )
                return .answer(
                    ProxyRejection(
                        .internalServerError, reason: "policy",
                        "Internal error: the gateway's policy needs an async origin predicate, which it cannot apply."))
            }
        }
        guard head.uri.hasPrefix("/") else {
            var rejection = ProxyRejection(
                .badRequest, reason: "bad-target",
                "Bad request: the gateway forwards origin-form targets (/path?query), not \(head.uri).")
            decision?.apply(to: &rejection.headerFields)
            return .answer(rejection)
        }
        if !basePath.isEmpty, Self.hasDotSegment(head.uri) {
            // Appended to the base path, `/../x` would reach `x` beside it on an upstream that
            // resolves dot segments; browsers resolve them before sending, so only tools send them.
            var rejection = ProxyRejection(
                .badRequest, reason: "bad-target",
                "Bad request: the path has a '.' or '..' segment, which would leave the upstream's base path"
                    + " \(basePath).")
            decision?.apply(to: &rejection.headerFields)
            return .answer(rejection)
        }
        // A refused origin's upgrade was answered 403 above (the policy's WebSocket rule).
        let tunnels = configuration.tunnelsWebSockets && UpgradeRequest.isWebSocketHandshake(head)
        var upstream = upstreamHead(for: head, clientAddress: clientAddress)
        if tunnels {
            // The two fields the hop-by-hop rule took off are the handshake itself: this hop asks the same.
            for value in head.headers["upgrade"] { upstream.headers.add(name: "Upgrade", value: value) }
            upstream.headers.add(name: "Connection", value: "Upgrade")
        }
        return .forward(GatewayPlan(upstreamHead: upstream, decision: decision, route: self, tunnels: tunnels))
    }

    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus, request: HTTPRequestHead) {}

    /// Whether the path of `target` (before any `?`) has a `.` or `..` segment as some upstream
    /// may read it: dots written plainly or as `%2e`, a segment's `;parameters` left out (Tomcat
    /// and Jetty resolve `/..;/x` as `/../x`), and `\`, `%2f` and `%5c` taken as separators too
    /// (servers that decode or convert them first). One pass over the bytes, no allocation.
    static func hasDotSegment(_ target: String) -> Bool {
        var dots = 0
        // In the segment's `;parameters` (not judged), or past a byte that makes it no dot segment.
        var judged = true
        var onlyDots = true
        var bytes = target.utf8[...]
        func segmentEnds() -> Bool {
            let isDotSegment = onlyDots && (1...2).contains(dots)
            dots = 0
            judged = true
            onlyDots = true
            return isDotSegment
        }
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                if segmentEnds() { return true }
                continue
            }
            var decoded = byte
            if byte == UInt8(ascii: "%"), bytes.count >= 2 {
                let high = bytes[bytes.startIndex]
                let low = bytes[bytes.index(after: bytes.startIndex)] | 0x20
                if high == UInt8(ascii: "2"), low == UInt8(ascii: "e") {
                    decoded = UInt8(ascii: ".")
                    bytes = bytes.dropFirst(2)
                } else if (high == UInt8(ascii: "2") && low == UInt8(ascii: "f"))
                    || (high == UInt8(ascii: "5") && low == UInt8(ascii: "c"))
                {
                    bytes = bytes.dropFirst(2)
                    if segmentEnds() { return true }
                    continue
                }
            }
            guard judged else { continue }
            if decoded == UInt8(ascii: ";") {
                judged = false
            } else if decoded == UInt8(ascii: ".") {
                dots += 1
            } else {
                onlyDots = false
            }
        }
        return segmentEnds()
    }

    /// The request as the upstream gets it: end-to-end fields, its `Host`, `X-Forwarded-*`, and
    /// the client's body framing.
    private func upstreamHead(for head: HTTPRequestHead, clientAddress: String?) -> HTTPRequestHead {
        var headers = HopByHop.forwardableRequestHeaders(
            head.headers, keepingForwarded: configuration.trustsForwardedFields,
            keepingUnderscores: configuration.keepsUnderscoreHeaders)
        let clientHost = head.headers.first(name: "host")
        headers.add(name: "Host", value: configuration.preserveHost ? (clientHost ?? upstreamHost) : upstreamHost)
        ForwardedFields.add(to: &headers, clientAddress: clientAddress, originalHost: clientHost)
        BodyFraming.copy(from: head, to: &headers)
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: basePath + head.uri, headers: headers)
    }
}

/// The gateway's one hop: the upstream, as it is.
final class GatewayPlan: ForwardPlan {
    let upstreamHead: HTTPRequestHead
    /// The policy's decision when the route applies it inline.
    let decision: CORSDecision?
    let route: GatewayRoute
    let tunnels: Bool

    init(upstreamHead: HTTPRequestHead, decision: CORSDecision?, route: GatewayRoute, tunnels: Bool = false) {
        self.upstreamHead = upstreamHead
        self.decision = decision
        self.route = route
        self.tunnels = tunnels
    }

    var tunnelLimits: Tunnel.Limits? {
        guard tunnels else { return nil }
        return Tunnel.Limits(
            idleTimeout: route.configuration.tunnelIdleTimeout, maximumBytes: route.configuration.tunnelByteLimit)
    }

    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus) {
        if let decision { headers.apply(decision) }
    }

    func filterTrailers(_ trailers: HTTPHeaders, fromUpstream: Bool) -> HTTPHeaders {
        HopByHop.endToEnd(trailers, reserving: 0) { fromUpstream && ASCII.hasPrefixIgnoringCase($0, "access-control-") }
    }

    var sendsBody: Bool { true }
    var upstreamName: String { route.upstreamHost }
    var requestBodyLimit: Int? { nil }
    var responseBodyLimit: Int? { nil }
    var timeLimit: TimeAmount? { nil }

    func lease(on eventLoop: any EventLoop, fresh: Bool) -> EventLoopFuture<UpstreamConnection> {
        route.pool.lease(on: eventLoop, fresh: fresh)
    }

    func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection? {
        route.pool.takeIdle(on: eventLoop)
    }

    /// The upstream's `Access-Control-*` fields go here already: the policy's replace them (in
    /// CORSNIOChannelHandler), which then has no fields to filter out.
    func answer(to head: HTTPResponseHead) -> UpstreamAnswer {
        if head.status == .switchingProtocols {
            return UpgradeRequest.answer(toSwitch: head, tunnels: tunnels, upstream: upstreamName)
        }
        // A new set of fields, not the upstream's edited: those are shared with the parsed head,
        // so editing them copies them anyway, and a copy that skips fields costs fewer allocations.
        return .relay(
            HopByHop.endToEnd(head.headers, reserving: 4) { ASCII.hasPrefixIgnoringCase($0, "access-control-") })
    }
}

/// How a forwarded request's body is framed upstream: the client's length, chunked for any
/// transfer coding (the codec took the coding off), or an explicit zero for a bodiless POST.
enum BodyFraming {
    static func copy(from head: HTTPRequestHead, to headers: inout HTTPHeaders) {
        if let length = head.headers.first(name: "content-length") {
            headers.add(name: "Content-Length", value: length)
        } else if head.headers.contains(name: "transfer-encoding") {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        } else if head.method == .POST || head.method == .PUT || head.method == .PATCH {
            headers.add(name: "Content-Length", value: "0")
        }
    }
}
#endif
