import AsyncHTTPClient
import HTTPTypes
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// The HTTP clients that carry requests upstream, with pooled keep-alive connections.
///
/// Plain-HTTP targets are reached by putting the checked IP literal in the URL and the name in
/// `Host`, all on one client. HTTPS needs the name for SNI and certificate checks, so each
/// (name, checked address) pair gets a client whose `dnsOverride` maps the name to that address
/// — the connection still goes to the checked address, never to a fresh lookup. Those clients
/// are kept in a bounded cache; an evicted one is shut down (a request still running on it fails).
public final class UpstreamClients: Sendable {
    let configuration: HTTPClient.Configuration
    let plain: HTTPClient
    private let tlsClients = NIOLockedValueBox<[String: HTTPClient]>([:])
    private let maximumTLSClients: Int
    private let permitsConnection: (@Sendable (IPAddress) -> Bool)?

    /// - Parameters:
    ///   - connectTimeout: for establishing a connection.
    ///   - readTimeout: the longest silence while waiting for the upstream's bytes.
    ///   - permitsConnection: a last check on every address before connecting (tests use it to
    ///     make sure nothing but loopback is ever contacted); nil permits all checked addresses.
    public init(
        connectTimeout: TimeAmount = .seconds(10), readTimeout: TimeAmount = .seconds(30), maximumTLSClients: Int = 64,
        permitsConnection: (@Sendable (IPAddress) -> Bool)? = nil
    ) {
        self.permitsConnection = permitsConnection
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: readTimeout),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // Upstreams are spoken to in HTTP/1.1 (what the gateway and proxy forward); no tracer: a
        // no-op span per request still costs a few percent of a small request.
        configuration.httpVersion = .http1Only
        configuration.tracing.tracer = nil
        self.configuration = configuration
        self.plain = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.maximumTLSClients = maximumTLSClients
    }

    /// The client and the URL that reach `target` at its checked address.
    func route(_ target: CheckedTarget) throws(ProxyRejection) -> (client: HTTPClient, url: String) {
        let url = target.url
        if let permitsConnection, !permitsConnection(target.address) {
            throw ProxyRejection(
                .forbidden, reason: "connection-filter", "Forbidden: connecting to \(target.address) is not permitted.")
        }
        switch url.scheme {
        case .http:
            return (plain, "http://\(target.address.uriHost):\(url.port)\(url.pathAndQuery)")
        case .https:
            if url.address != nil {
                return (plain, "https://\(target.address.uriHost):\(url.port)\(url.pathAndQuery)")
            }
            let key = "\(url.host)|\(target.address)"
            let (client, evicted) = tlsClients.withLockedValue { clients -> (HTTPClient, HTTPClient?) in
                if let existing = clients[key] { return (existing, nil) }
                var evicted: HTTPClient?
                if clients.count >= maximumTLSClients, let victim = clients.keys.first {
                    evicted = clients.removeValue(forKey: victim)
                }
                var configuration = self.configuration
                configuration.dnsOverride = [url.host: target.address.description]
                let created = HTTPClient(
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
                clients[key] = created
                return (created, evicted)
            }
            if let evicted { Task { try? await evicted.shutdown() } }
            return (client, "https://\(url.host):\(url.port)\(url.pathAndQuery)")
        }
    }

    /// Closes every pooled connection; call once the server stopped.
    public func shutdown() async throws {
        let all = tlsClients.withLockedValue { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
        try await plain.shutdown()
    }
}

/// Turns what the HTTP client threw into the answer the browser gets: 504 for time-outs, 502
/// for everything else (refused, reset, malformed), each saying which upstream failed and how.
enum UpstreamFailure {
    static func rejection(for error: any Error, upstream: String) -> ProxyRejection {
        if let rejection = error as? ProxyRejection { return rejection }
        if let failure = error as? UpstreamConnectionFailure { return rejection(for: failure, upstream: upstream) }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout:
                return ProxyRejection(
                    .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: connecting to \(upstream) timed out."
                )
            case .readTimeout:
                return ProxyRejection(
                    .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: \(upstream) stopped answering.")
            case .deadlineExceeded:
                return ProxyRejection(
                    .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: \(upstream) did not answer in time.")
            case .remoteConnectionClosed:
                return ProxyRejection(
                    .badGateway, reason: "upstream-error", "Bad gateway: \(upstream) closed the connection.")
            default:
                break
            }
        }
        return ProxyRejection(
            .badGateway, reason: "upstream-error", "Bad gateway: could not reach \(upstream) (\(error)).")
    }

    static func rejection(for failure: UpstreamConnectionFailure, upstream: String) -> ProxyRejection {
        switch failure {
        case .connectTimeout:
            ProxyRejection(
                .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: connecting to \(upstream) timed out.")
        case .readTimeout:
            ProxyRejection(
                .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: \(upstream) stopped answering.")
        case .closed:
            ProxyRejection(.badGateway, reason: "upstream-error", "Bad gateway: \(upstream) closed the connection.")
        case .malformed(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-error", "Bad gateway: \(upstream) sent a malformed answer (\(error)).")
        case .tls(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-tls",
                "Bad gateway: the TLS handshake with \(upstream) failed (\(error)).")
        case .connect(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-error", "Bad gateway: could not reach \(upstream) (\(error)).")
        }
    }
}
