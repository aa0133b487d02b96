import AsyncHTTPClient
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1

/// An open CORS proxy in the manner of cors-anywhere: `GET /https://api.example.com/x` fetches
/// that URL and answers with CORS headers that let any page read it — but, unlike
/// cors-anywhere, only from public addresses (see ``SSRFGuard``), within size, redirect and time
/// limits, and never with the client's cookies.
public struct OpenProxy: Sendable {
    public let configuration: OpenProxyConfiguration
    let clients: UpstreamClients
    let logger: Logger
    let rateLimiter: RateLimiter?
    let metrics = ProxyMetrics(prefix: "cors_proxy")

    public init(configuration: OpenProxyConfiguration, clients: UpstreamClients, logger: Logger) {
        self.configuration = configuration
        self.clients = clients
        self.logger = logger
        self.rateLimiter = configuration.rateLimit.map(RateLimiter.init)
    }

    /// Access log, then the proxy, which answers every request itself.
    public func makeRouter() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: logger))
        router.add(middleware: Handler(proxy: self))
        return router
    }

    struct Handler: RouterMiddleware {
        typealias Context = ProxyRequestContext
        let proxy: OpenProxy

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            proxy.metrics.countRequest()
            do {
                var response = try await proxy.respond(to: request, context: context)
                proxy.addCORSFields(to: &response.headers, request: request)
                return response
            } catch {
                let rejection = UpstreamFailure.rejection(for: error, upstream: "the upstream")
                proxy.metrics.rejected(rejection.reason)
                var response = try rejection.response(from: request, context: context)
                proxy.addCORSFields(to: &response.headers, request: request)
                return response
            }
        }
    }

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

    func respond(to request: Request, context: ProxyRequestContext) async throws -> Response {
        if request.method == .options {
            return Response(status: .ok, headers: [.contentLength: "0"], body: .init())
        }
        let raw = (request.head.path ?? "/").dropFirst()
        if raw.isEmpty {
            return Self.text(.ok, Self.helpText)
        }
        if raw == "favicon.ico" || raw == "robots.txt" {
            throw ProxyRejection(.notFound, reason: "not-found", "Not found: /\(raw) is not a proxied URL.")
        }
        if raw == "iscorsneeded" || raw.hasPrefix("iscorsneeded?") || raw.hasPrefix("iscorsneeded/") {
            return Self.text(.ok, "no")
        }
        var headerBytes = 0
        for field in request.headers { headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        if headerBytes > configuration.maxHeaderBytes {
            throw ProxyRejection(
                .requestHeaderFieldsTooLarge, reason: "headers-too-large",
                "Request header fields too large: \(headerBytes) bytes, this proxy accepts \(configuration.maxHeaderBytes)."
            )
        }
        let target = try TargetURL(parsing: raw, defaultSchemeFromPort: true)
        let origin = request.headers[.origin]
        guard origin != nil || request.headers[HTTPField.Name("X-Requested-With")!] != nil else {
            throw ProxyRejection(
                .badRequest, reason: "missing-origin",
                "Missing required request header. Must specify one of: origin,x-requested-with")
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
        if let rateLimiter, let retryAfter = rateLimiter.acquire(origin ?? context.clientAddress ?? "-") {
            var rejection = ProxyRejection(
                .tooManyRequests, reason: "rate-limited",
                "Too many requests from \(origin ?? "this client"): the limit is \(rateLimiter.limit.requests) per "
                    + "\(rateLimiter.limit.window.components.seconds) s; retry in \(retryAfter) s.")
            rejection.headerFields[.retryAfter] = String(retryAfter)
            throw rejection
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            throw bodyTooLarge()
        }
        return try await forward(request, to: target, context: context)
    }

    private func bodyTooLarge() -> ProxyRejection {
        ProxyRejection(
            .contentTooLarge, reason: "body-too-large",
            "Request body too large: this proxy accepts at most \(configuration.maxBodyBytes) bytes.")
    }

    private func forward(_ request: Request, to requested: TargetURL, context: ProxyRequestContext) async throws
        -> Response
    {
        let deadline =
            NIODeadline.now()
            + .nanoseconds(
                Int64(configuration.timeout.components.seconds) * 1_000_000_000
                    + configuration.timeout.components.attoseconds / 1_000_000_000)
        var target = requested
        var method = HTTPMethod(rawValue: request.method.rawValue)
        var sendBody = true
        var redirectFields = HTTPFields()
        var redirects = 0
        let proxyBase = "http://\(request.head.authority ?? "localhost")/"
        while true {
            let checked = try await configuration.targetGuard.check(target)
            let (client, url) = try clients.route(checked)
            var outgoing = HTTPClientRequest(url: url)
            outgoing.method = method
            outgoing.headers = HopByHop.forwardableRequestFields(request.headers, dropping: Self.droppedRequestFields)
            if !sendBody { outgoing.headers.remove(name: "content-type") }
            outgoing.headers.add(name: "Host", value: target.hostField)
            ForwardedFields.add(
                to: &outgoing.headers, clientAddress: context.clientAddress,
                originalHost: request.head.authority)
            if sendBody {
                let limited = LimitedBody(base: request.body, limit: configuration.maxBodyBytes, error: bodyTooLarge())
                if let length = request.headers[.contentLength].flatMap({ Int64($0) }) {
                    if length > 0 { outgoing.body = .stream(limited, length: .known(length)) }
                } else if request.headers[.transferEncoding] != nil {
                    outgoing.body = .stream(limited, length: .unknown)
                }
            }
            let start = ContinuousClock.now
            let response: HTTPClientResponse
            do {
                response = try await client.execute(outgoing, deadline: deadline, logger: nil)
            } catch {
                throw UpstreamFailure.rejection(for: error, upstream: target.hostField)
            }
            metrics.observeUpstream(since: start)
            let status = Int(response.status.code)
            let location = response.headers.first(name: "location")
            if [301, 302, 303].contains(status), let location, redirects < configuration.maxRedirects {
                redirects += 1
                redirectFields.append(
                    HTTPField(name: HTTPField.Name("X-CORS-Redirect-\(redirects)")!, value: "\(status) \(location)"))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                target = try target.resolving(location)
                if method != .HEAD { method = .GET }
                sendBody = false
                continue
            }
            var fields = HopByHop.forwardableResponseFields(response.headers, dropping: Self.droppedResponseFields)
            if (300..<400).contains(status), let location {
                let absolute = (try? target.resolving(location).description) ?? location
                fields[.location] = proxyBase + absolute
            }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init),
                length > configuration.maxBodyBytes
            {
                throw ProxyRejection(
                    .badGateway, reason: "response-too-large",
                    "Bad gateway: the response of \(target.hostField) is \(length) bytes, this proxy passes at most "
                        + "\(configuration.maxBodyBytes).")
            }
            fields.append(contentsOf: redirectFields)
            fields[HTTPField.Name("X-Request-URL")!] = requested.description
            fields[HTTPField.Name("X-Final-URL")!] = target.description
            let body = LimitedBody(
                base: response.body, limit: configuration.maxBodyBytes,
                error: ProxyRejection(.badGateway, reason: "response-too-large", "response body over the limit"))
            return Response(
                status: HTTPResponse.Status(code: status, reasonPhrase: response.status.reasonPhrase),
                headers: fields, body: ResponseBody(asyncSequence: body))
        }
    }

    /// Ambient credentials stay with the client; the proxy sets `Host` and `X-Forwarded-*` itself.
    static let droppedRequestFields: Set<String> = ["cookie", "cookie2"]
    static let droppedResponseFields: Set<String> = ["set-cookie", "set-cookie2"]

    /// cors-anywhere's `withCORS`: any origin may read, preflights get what they asked for, and
    /// every response header is exposed.
    func addCORSFields(to fields: inout HTTPFields, request: Request) {
        fields.removeAll { $0.name.canonicalName.hasPrefix("access-control-") }
        fields[.accessControlAllowOrigin] = "*"
        if request.method == .options {
            if let method = request.headers[.accessControlRequestMethod] { fields[.accessControlAllowMethods] = method }
            if let headers = request.headers[values: .accessControlRequestHeaders].joined(separator: ",") as String?,
                !headers.isEmpty
            {
                fields[.accessControlAllowHeaders] = headers
            }
            if let maxAge = configuration.preflightMaxAge { fields[.accessControlMaxAge] = String(maxAge) }
            return
        }
        var names: [String] = []
        var seen: Set<String> = []
        for field in fields where field.name != .accessControlAllowOrigin {
            if seen.insert(field.name.canonicalName).inserted { names.append(field.name.canonicalName) }
        }
        if !names.isEmpty { fields[.accessControlExposeHeaders] = names.joined(separator: ",") }
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        let body = ByteBuffer(string: text)
        return Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .contentLength: String(body.readableBytes)],
            body: .init(byteBuffer: body))
    }
}
