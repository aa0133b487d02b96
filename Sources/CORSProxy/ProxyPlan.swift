#if Tools
import CORSNIO
import HTTPTypes
import NIOCore
import NIOHTTP1

/// One proxied request's way: the URL the page asked for, then each redirect the proxy follows
/// (301, 302 and 303, up to the configured count; each target checked again), and the edits of
/// the answer the page gets (cookies removed, the redirects and final URL reported, a
/// `Location` it did not follow pointed back through the proxy).
final class ProxyPlan: ForwardPlan {
    let route: ProxyRoute
    let requested: TargetURL
    private(set) var target: TargetURL
    private(set) var upstreamHead: HTTPRequestHead
    private(set) var sendsBody = true
    private var redirects: [(name: String, value: String)] = []
    private let request: HTTPRequestHead
    private let clientAddress: String?

    init(request: HTTPRequestHead, target: TargetURL, clientAddress: String?, route: ProxyRoute) {
        self.route = route
        self.requested = target
        self.target = target
        self.request = request
        self.clientAddress = clientAddress
        self.upstreamHead = request
        self.upstreamHead = makeUpstreamHead(method: request.method)
    }

    var upstreamName: String { target.hostField }
    var requestBodyLimit: Int? { route.configuration.maxBodyBytes }
    var responseBodyLimit: Int? { route.configuration.maxBodyBytes }
    var timeLimit: TimeAmount? {
        let (seconds, attoseconds) = route.configuration.timeout.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Each hop's fields are filtered afresh: a kept copy would be copied again by the first edit
    /// (and most requests have one hop).
    private func makeUpstreamHead(method: HTTPMethod) -> HTTPRequestHead {
        // The client's end-to-end fields, less those the proxy sets per hop; ambient credentials
        // stay with the client.
        var headers = HopByHop.endToEnd(request.headers, reserving: 5) {
            ASCII.equalsIgnoringCase($0, "host") || ASCII.equalsIgnoringCase($0, "content-length")
                || ASCII.equalsIgnoringCase($0, "expect") || ASCII.equalsIgnoringCase($0, "cookie")
                || ASCII.equalsIgnoringCase($0, "cookie2") || ForwardedFields.isClientClaim($0)
                || (!route.configuration.keepsUnderscoreHeaders && HopByHop.hasUnderscore($0))
        }
        // A redirect turned the request into a bodiless GET: its body's type goes with the body.
        if !sendsBody { headers.remove(name: "content-type") }
        headers.add(name: "Host", value: target.hostField)
        ForwardedFields.add(
            to: &headers, clientAddress: clientAddress, originalHost: request.headers.first(name: "host"))
        if sendsBody { BodyFraming.copy(from: request, to: &headers) }
        return HTTPRequestHead(version: .http1_1, method: method, uri: target.pathAndQuery, headers: headers)
    }

    /// Names are checked (a DNS lookup on NIO's thread pool) before each hop; literals at once.
    func lease(on eventLoop: any EventLoop, fresh: Bool) -> EventLoopFuture<UpstreamConnection> {
        let route = self.route
        let target = self.target
        do {
            if let checked = try route.configuration.targetGuard.checkWithoutLookup(target) {
                return try route.upstreams.pool(for: checked).lease(on: eventLoop, fresh: fresh)
            }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return eventLoop.makeFutureWithTask { try await route.configuration.targetGuard.check(target) }
            .flatMapThrowing { checked in try route.upstreams.pool(for: checked) }
            .flatMap { pool in pool.lease(on: eventLoop, fresh: fresh) }
    }

    /// IP literals only: a name is looked up (and checked) for every request.
    func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection? {
        guard let checked = try? route.configuration.targetGuard.checkWithoutLookup(target),
            let pool = try? route.upstreams.pool(for: checked)
        else { return nil }
        return pool.takeIdle(on: eventLoop)
    }

    /// Cookies never cross, either way, nor do the upstream's CORS fields.
    func filterTrailers(_ trailers: HTTPHeaders, fromUpstream: Bool) -> HTTPHeaders {
        HopByHop.endToEnd(trailers, reserving: 0) { name in
            fromUpstream
                ? ASCII.equalsIgnoringCase(name, "set-cookie") || ASCII.equalsIgnoringCase(name, "set-cookie2")
                    || ASCII.hasPrefixIgnoringCase(name, "access-control-")
                : ASCII.equalsIgnoringCase(name, "cookie") || ASCII.equalsIgnoringCase(name, "cookie2")
        }
    }

    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus) {
        route.finish(&headers, status: status, request: request)
    }

    func answer(to head: HTTPResponseHead) -> UpstreamAnswer {
        let status = Int(head.status.code)
        let location = head.headers.first(name: "location")
        if status == 301 || status == 302 || status == 303, let location,
            redirects.count < route.configuration.maxRedirects
        {
            do {
                target = try target.resolving(location)
            } catch {
                return .refuse(error)
            }
            redirects.append(("X-CORS-Redirect-\(redirects.count + 1)", "\(status) \(location)"))
            sendsBody = false
            upstreamHead = makeUpstreamHead(method: upstreamHead.method == .HEAD ? .HEAD : .GET)
            return .follow
        }
        let limit = route.configuration.maxBodyBytes
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limit {
            return .refuse(
                ProxyRejection(
                    .badGateway, reason: "response-too-large",
                    "Bad gateway: the response of \(target.hostField) is \(length) bytes, this proxy passes at most "
                        + "\(limit)."))
        }
        // Cookies stay with the upstream; its CORS fields are replaced by ProxyRoute.finish's.
        var headers = HopByHop.endToEnd(head.headers, reserving: redirects.count + 4) {
            ASCII.equalsIgnoringCase($0, "set-cookie") || ASCII.equalsIgnoringCase($0, "set-cookie2")
                || ASCII.hasPrefixIgnoringCase($0, "access-control-")
        }
        if (300..<400).contains(status), let location {
            let absolute = (try? target.resolving(location).description) ?? location
            headers.replaceOrAdd(
                name: "Location", value: "http://\(request.headers.first(name: "host") ?? "localhost")/\(absolute)")
        }
        for (name, value) in redirects { headers.add(name: name, value: value) }
        let requestURL = requested.description
        headers.add(name: "X-Request-URL", value: requestURL)
        headers.add(name: "X-Final-URL", value: redirects.isEmpty ? requestURL : target.description)
        return .relay(headers)
    }
}
#endif
