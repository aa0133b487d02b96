#if Tools
import CORSNIO
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// The open proxy's decisions, shared by every connection: the local pages, the checks that
/// refuse a request before anything is fetched, and cors-anywhere's CORS fields on every answer.
final class ProxyRoute: ForwardingRoute {
    let configuration: OpenProxyConfiguration
    let upstreams: ProxyUpstreams
    let logger: Logger
    let rateLimiter: RateLimiter?
    let metrics = ProxyMetrics(prefix: "cors_proxy")

    init(configuration: OpenProxyConfiguration, upstreams: ProxyUpstreams, logger: Logger) {
        self.configuration = configuration
        self.upstreams = upstreams
        self.logger = logger
        self.rateLimiter = configuration.rateLimit.map(RateLimiter.init)
    }

    var clientIdleTimeout: TimeAmount { configuration.clientIdleTimeout }
    var headerTimeout: TimeAmount { configuration.headerTimeout }

    static let helpText = """
        This is a CORS proxy: it fetches a public URL and answers with CORS headers.
        Usage:
          /                          shows this help
          /iscorsneeded              answers "no"
          /<url>                     fetches <url>, e.g. /https://example.com/data.json
                                     (/example.com:443/x is https, /example.com/x is http)
        Requests must carry Origin or X-Requested-With. Cookies are never forwarded or returned.
        Redirects (301/302/303) are followed and reported in X-CORS-Redirect-N; X-Request-URL and
        X-Final-URL name the requested and the final URL. Private, loopback and link-local
        addresses are refused.

        """

    func decide(_ head: HTTPRequestHead, clientAddress: String?) -> RouteDecision {
        do throws(ProxyRejection) {
            return .forward(try plan(head, clientAddress: clientAddress))
        } catch {
            return .answer(error)
        }
    }

    /// Throws the answer when the request is not forwarded: a page of ours or a refusal.
    private func plan(_ head: HTTPRequestHead, clientAddress: String?) throws(ProxyRejection) -> ProxyPlan {
        if head.method == .OPTIONS {
            // Preflights are answered here (`finish` adds what they asked for).
            throw ProxyRejection(.ok, reason: "preflight", "")
        }
        guard head.uri.hasPrefix("/") else {
            throw ProxyRejection(
                .badRequest, reason: "bad-target",
                "Bad request: ask for /<url> (e.g. /https://example.com/), not \(head.uri).")
        }
        let raw = head.uri.dropFirst()
        if raw.isEmpty { throw ProxyRejection(.ok, reason: "help", Self.helpText) }
        if raw == "favicon.ico" || raw == "robots.txt" {
            throw ProxyRejection(.notFound, reason: "not-found", "Not found: /\(raw) is not a proxied URL.")
        }
        if raw == "iscorsneeded" || raw.hasPrefix("iscorsneeded?") || raw.hasPrefix("iscorsneeded/") {
            throw ProxyRejection(.ok, reason: "iscorsneeded", "no")
        }
        var headerBytes = 0
        for (name, value) in head.headers { headerBytes += name.utf8.count + value.utf8.count + 4 }
        if headerBytes > configuration.maxHeaderBytes {
            throw ProxyRejection(
                .requestHeaderFieldsTooLarge, reason: "headers-too-large",
                "Request header fields too large: \(headerBytes) bytes, this proxy accepts \(configuration.maxHeaderBytes)."
            )
        }
        // cors-anywhere's "Invalid host" for a name without a dot; for local development
        // (--allow-private) `localhost` and a container's service names are what one fetches.
        let target = try TargetURL(
            parsing: raw, defaultSchemeFromPort: true, requireDottedName: !configuration.targetGuard.allowPrivate)
        let origin = head.headers.first(name: "origin")
        guard origin != nil || head.headers.contains(name: "x-requested-with") else {
            throw ProxyRejection(
                .badRequest, reason: "missing-origin",
                "Missing required request header. Must specify one of: origin,x-requested-with")
        }
        if origin == nil, !configuration.allowedOrigins.isEmpty {
            // An allow list names who may use the proxy; a request without Origin is no one on it
            // (cors-anywhere's originWhitelist refuses it the same way).
            throw ProxyRejection(
                .forbidden, reason: "origin-not-allowed",
                "A request without an Origin header is not on the allow list of this proxy's operator.")
        }
        if let origin {
            if configuration.deniedOrigins.contains(origin) {
                throw ProxyRejection(
                    .forbidden, reason: "origin-denied",
                    "The origin \"\(origin)\" was denied by the operator of this proxy.")
            }
            if !configuration.allowedOrigins.isEmpty, !configuration.allowedOrigins.contains(origin) {
                throw ProxyRejection(
                    .forbidden, reason: "origin-not-allowed",
                    "The origin \"\(origin)\" is not on the allow list of this proxy's operator.")
            }
        }
        if let rateLimiter, let retryAfter = rateLimiter.acquire(origin: origin, clientAddress: clientAddress) {
            var rejection = ProxyRejection(
                .tooManyRequests, reason: "rate-limited",
                "Too many requests from this origin or this client: the limit is \(rateLimiter.limit.requests) per "
                    + "\(rateLimiter.limit.window.components.seconds) s for each; retry in \(retryAfter) s.")
            rejection.headerFields[.retryAfter] = String(retryAfter)
            throw rejection
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init),
            length > configuration.maxBodyBytes
        {
            throw ProxyRejection(
                .contentTooLarge, reason: "body-too-large",
                "Request body too large: this proxy accepts at most \(configuration.maxBodyBytes) bytes.")
        }
        return ProxyPlan(request: head, target: target, clientAddress: clientAddress, route: self)
    }

    /// cors-anywhere's `withCORS`: any origin may read, preflights get what they asked for, and
    /// every response header is exposed.
    func finish(_ headers: inout HTTPHeaders, status: HTTPResponseStatus, request: HTTPRequestHead) {
        // No Access-Control-* field to replace: answers of ours have none, and ProxyPlan dropped
        // the upstream's.
        if request.method == .OPTIONS {
            headers.add(name: "Access-Control-Allow-Origin", value: "*")
            if let method = request.headers.first(name: "access-control-request-method") {
                headers.add(name: "Access-Control-Allow-Methods", value: method)
            }
            let requested = request.headers["access-control-request-headers"].joined(separator: ",")
            if !requested.isEmpty { headers.add(name: "Access-Control-Allow-Headers", value: requested) }
            if let maxAge = configuration.preflightMaxAge {
                headers.add(name: "Access-Control-Max-Age", value: String(maxAge))
            }
            return
        }
        // One list, built as bytes: a name already in it (any case) is skipped. A short answer is
        // searched in the list; past a few dozen fields a set keeps it linear (an upstream can send
        // tens of thousands of tiny fields).
        var exposed: [UInt8] = []
        exposed.reserveCapacity(256)
        var seen: Set<String>? = headers.count > 32 ? [] : nil
        for (name, _) in headers {
            if HopByHop.isHopByHopName(name) { continue }
            if seen != nil {
                if !seen!.insert(name.lowercased()).inserted { continue }
            } else if ExposedList.contains(exposed, name) {
                continue
            }
            if !exposed.isEmpty { exposed.append(UInt8(ascii: ",")) }
            for byte in name.utf8 { exposed.append(ASCII.lower(byte)) }
        }
        headers.add(name: "Access-Control-Allow-Origin", value: "*")
        if !exposed.isEmpty {
            headers.add(name: "Access-Control-Expose-Headers", value: String(decoding: exposed, as: UTF8.self))
        }
    }
}

/// `Access-Control-Expose-Headers` as it is built: lower-cased names, comma-separated.
enum ExposedList {
    /// Whether `name` (any case) is one of the list's names.
    static func contains(_ list: [UInt8], _ name: String) -> Bool {
        let count = name.utf8.count
        var start = 0
        while start < list.count {
            var end = start
            while end < list.count, list[end] != UInt8(ascii: ",") { end += 1 }
            if end - start == count, zip(list[start..<end], name.utf8).allSatisfy({ $0 == ASCII.lower($1) }) {
                return true
            }
            start = end + 1
        }
        return false
    }
}
#endif
