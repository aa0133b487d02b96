import CORSNIO
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// What every gateway connection shares: the upstream, the pool of connections to it, the log
/// and the counters. The policy's CORS fields are ``CORSNIO/CORSChannelHandler``'s, ahead of
/// ``ForwardHandler`` in the pipeline.
struct GatewayRoute: ForwardingRoute {
    let configuration: GatewayConfiguration
    let pool: UpstreamPool
    let logger: Logger
    let metrics = ProxyMetrics(prefix: "cors_gateway")
    /// The upstream URL's path without query and trailing `/`: request targets are appended to it.
    let basePath: String

    init(configuration: GatewayConfiguration, pool: UpstreamPool, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.logger = logger
        var base = Substring(configuration.upstream.pathAndQuery)
        if let query = base.firstIndex(of: "?") { base = base[..<query] }
        while base.hasSuffix("/") { base = base.dropLast() }
        self.basePath = String(base)
    }

    var clientIdleTimeout: TimeAmount { configuration.clientIdleTimeout }

    func decide(_ head: HTTPRequestHead, clientAddress: String?) -> RouteDecision {
        guard head.uri.hasPrefix("/") else {
            return .answer(
                ProxyRejection(
                    .badRequest, reason: "bad-target",
                    "Bad request: the gateway forwards origin-form targets (/path?query), not \(head.uri)."))
        }
        return .forward(
            GatewayPlan(upstreamHead: upstreamHead(for: head, clientAddress: clientAddress), route: self))
    }

    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus, request: HTTPRequestHead) {}

    /// The request as the upstream gets it: end-to-end fields, its `Host`, `X-Forwarded-*`, and
    /// the client's body framing.
    private func upstreamHead(for head: HTTPRequestHead, clientAddress: String?) -> HTTPRequestHead {
        var headers = HopByHop.forwardableRequestHeaders(head.headers)
        let clientHost = head.headers.first(name: "host")
        headers.add(
            name: "Host",
            value: configuration.preserveHost
                ? (clientHost ?? configuration.upstream.hostField)
                : configuration.upstream.hostField)
        ForwardedFields.add(to: &headers, clientAddress: clientAddress, originalHost: clientHost)
        BodyFraming.copy(from: head, to: &headers)
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: basePath + head.uri, headers: headers)
    }
}

/// The gateway's one hop: the upstream, as it is.
final class GatewayPlan: ForwardPlan {
    let upstreamHead: HTTPRequestHead
    let route: GatewayRoute

    init(upstreamHead: HTTPRequestHead, route: GatewayRoute) {
        self.upstreamHead = upstreamHead
        self.route = route
    }

    var sendsBody: Bool { true }
    var upstreamName: String { route.configuration.upstream.hostField }
    var requestBodyLimit: Int? { nil }
    var responseBodyLimit: Int? { nil }
    var timeLimit: TimeAmount? { nil }

    func lease(on eventLoop: any EventLoop, fresh: Bool) -> EventLoopFuture<UpstreamConnection> {
        route.pool.lease(on: eventLoop, fresh: fresh)
    }

    /// The upstream's `Access-Control-*` fields go here already: the policy's replace them (in
    /// CORSChannelHandler), which then has no fields to filter out.
    func answer(to head: HTTPResponseHead) -> UpstreamAnswer {
        .relay(
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
