import AsyncHTTPClient
public import CORS
import CORSHummingbird
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOHTTP1

/// What `cors serve --upstream` needs: the one upstream and the policy to put in front of it.
public struct GatewayConfiguration: Sendable {
    /// The upstream's base URL (`http://127.0.0.1:3000`, `https://api.internal/v1`).
    public var upstream: TargetURL
    public var policy: CORSPolicy
    /// Sends the client's `Host` upstream instead of the upstream's own (nginx's default is the latter).
    public var preserveHost: Bool

    /// Throws a 400-style ``ProxyRejection`` describing what is wrong with `upstream`.
    public init(upstream: String, policy: CORSPolicy, preserveHost: Bool = false) throws(ProxyRejection) {
        self.upstream = try TargetURL(parsing: Substring(upstream), requireDottedName: false)
        self.policy = policy
        self.preserveHost = preserveHost
    }
}

/// A reverse proxy that applies a CORS policy in front of one upstream.
///
/// The policy owns the CORS headers: the upstream's `Access-Control-*` fields are removed and the
/// policy's added (one `Access-Control-Allow-Origin`, never two), preflights are answered here,
/// and errors (502 when the upstream is down, 504 when it is slow) carry the CORS headers too, so
/// the page can read them. Bodies stream both ways.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    let clients: UpstreamClients
    let logger: Logger

    public init(configuration: GatewayConfiguration, clients: UpstreamClients, logger: Logger) {
        self.configuration = configuration
        self.clients = clients
        self.logger = logger
    }

    /// Access log, then the CORS policy, then the forwarder.
    public func makeRouter() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: logger))
        router.add(middleware: CORSPolicyMiddleware(configuration.policy))
        router.add(middleware: Forwarder(configuration: configuration, client: clients.plain))
        return router
    }

    struct Forwarder: RouterMiddleware {
        typealias Context = ProxyRequestContext
        let configuration: GatewayConfiguration
        let client: HTTPClient
        let metrics = ProxyMetrics(prefix: "cors_gateway")
        let basePath: Substring

        init(configuration: GatewayConfiguration, client: HTTPClient) {
            self.configuration = configuration
            self.client = client
            var base = Substring(configuration.upstream.pathAndQuery)
            if let query = base.firstIndex(of: "?") { base = base[..<query] }
            while base.hasSuffix("/") { base = base.dropLast() }
            self.basePath = base
        }

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            metrics.countRequest()
            let upstream = configuration.upstream
            let path = request.head.path ?? "/"
            var outgoing = HTTPClientRequest(
                url:
                    "\(upstream.scheme.rawValue)://\(upstream.address?.uriHost ?? upstream.host):\(upstream.port)\(basePath)\(path)"
            )
            outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
            outgoing.headers = HopByHop.forwardableRequestFields(request.headers)
            let originalHost = request.head.authority
            outgoing.headers.add(
                name: "Host",
                value: configuration.preserveHost ? (originalHost ?? upstream.hostField) : upstream.hostField)
            ForwardedFields.add(to: &outgoing.headers, clientAddress: context.clientAddress, originalHost: originalHost)
            if let length = request.headers[.contentLength].flatMap({ Int64($0) }) {
                outgoing.body = .stream(request.body, length: .known(length))
            } else if request.headers[.transferEncoding] != nil {
                outgoing.body = .stream(request.body, length: .unknown)
            }
            let start = ContinuousClock.now
            let response: HTTPClientResponse
            do {
                response = try await client.execute(outgoing, deadline: .distantFuture, logger: nil)
            } catch {
                let rejection = UpstreamFailure.rejection(for: error, upstream: upstream.hostField)
                metrics.rejected(rejection.reason)
                throw rejection
            }
            metrics.observeUpstream(since: start)
            let fields = HopByHop.forwardableResponseFields(response.headers)
            return Response(
                status: HTTPResponse.Status(
                    code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
                headers: fields,
                body: ResponseBody(asyncSequence: response.body)
            )
        }
    }
}
