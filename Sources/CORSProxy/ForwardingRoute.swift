#if Tools
import Logging
import NIOCore
import NIOHTTP1

/// What a forwarding server decides for ``ForwardHandler``, which does the HTTP: the gateway
/// (``GatewayRoute``: one upstream, the policy in `CORSNIO`'s handler) and the open proxy
/// (``ProxyRoute``: any public URL, its own checks and CORS fields). Shared by every connection.
///
/// Used as existentials, not generics: NIO calls a handler through protocol witnesses, which for
/// a generic handler class run unspecialised code (metadata lookups and value witness copies on
/// every request, measured).
protocol ForwardingRoute: Sendable {
    var logger: Logger { get }
    var metrics: ProxyMetrics { get }
    /// How long a client connection may stay silent between requests.
    var clientIdleTimeout: TimeAmount { get }
    /// How long a request's header fields may take from its first byte.
    var headerTimeout: TimeAmount { get }
    /// Decides on a request as soon as its head is read: an answer of our own, or a forward.
    func decide(_ head: HTTPRequestHead, clientAddress: String?) -> RouteDecision
    /// The last edit of the head of an answer of ours to a request that has no plan (a refusal,
    /// a help page); a plan finishes the heads of its own request's answers.
    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus, request: HTTPRequestHead)
}

enum RouteDecision {
    /// A plain-text answer of our own (a help page, a refusal); counted as a rejection from 400 up.
    case answer(ProxyRejection)
    /// An answer without a body, its fields final (a preflight the policy answered).
    case respond(HTTPResponseStatus, HTTPHeaders)
    case forward(any ForwardPlan)
}

/// One request's way upstream, hop by hop (only the proxy follows redirects). Lives in the
/// exchange; only touched on the client connection's event loop.
protocol ForwardPlan: AnyObject {
    /// The request as the current hop's upstream gets it.
    var upstreamHead: HTTPRequestHead { get }
    /// Whether the client's body goes upstream (not after a redirect turned the request into a GET).
    var sendsBody: Bool { get }
    /// The current upstream, as error messages name it.
    var upstreamName: String { get }
    /// Largest request body passed on (413 past it); nil: no limit.
    var requestBodyLimit: Int? { get }
    /// Largest answer body passed on (the answer is cut past it); nil: no limit.
    var responseBodyLimit: Int? { get }
    /// The whole exchange, redirects included (504 past it); nil: only the read timeout applies.
    var timeLimit: TimeAmount? { get }
    /// A connection to the current hop's upstream on `eventLoop` (an idle one unless `fresh`);
    /// fails with a ``ProxyRejection`` when the target is refused.
    func lease(on eventLoop: any EventLoop, fresh: Bool) -> EventLoopFuture<UpstreamConnection>
    /// An idle pooled connection to the current hop's upstream, when one is at hand and nothing
    /// needs checking first (no DNS lookup): `lease` without a future.
    func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection?
    /// What to do with the upstream's answer head.
    func answer(to head: HTTPResponseHead) -> UpstreamAnswer
    /// Trailer fields as they are passed on: the same fields dropped as from the head they follow.
    func filterTrailers(_ trailers: HTTPHeaders, fromUpstream: Bool) -> HTTPHeaders
    /// The last edit of every head answering this request, relayed or our own (502, 504…): the
    /// CORS fields, so the page can read even the errors.
    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus)
    /// How the connection becomes a tunnel when the upstream switches protocols (`101`); nil: the
    /// request asked for no switch, and a `101` is refused.
    var tunnelLimits: Tunnel.Limits? { get }
}

extension ForwardPlan {
    var tunnelLimits: Tunnel.Limits? { nil }
}

enum UpstreamAnswer {
    /// Relay the answer to the client with these fields.
    case relay(HTTPHeaders)
    /// Answer the client with this instead (the upstream's answer is dropped with its connection).
    case refuse(ProxyRejection)
    /// Drop this answer and ask the plan's next hop (it moved on to a redirect's target).
    case follow
}
#endif
