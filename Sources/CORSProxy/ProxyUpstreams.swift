#if Tools
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
public import NIOSSL

/// The proxy's keep-alive connections, one ``UpstreamPool`` per checked address, port and TLS
/// name: a connection always goes to the address the SSRF guard checked (never to a fresh
/// lookup), and `https` still verifies the certificate against the name the page asked for.
/// The pools are bounded; an evicted pool's idle connections close (busy ones finish first).
public final class ProxyUpstreams: Sendable {
    private struct Key: Hashable {
        let address: IPAddress
        let port: Int
        /// The TLS server name; nil for plain HTTP.
        let serverName: String?
        let tls: Bool
    }

    let configuration: UpstreamPool.Configuration
    private let tlsContext: NIOSSLContext
    private let group: any EventLoopGroup
    private let pools = NIOLockedValueBox<[Key: UpstreamPool]>([:])
    private let maximumPools: Int
    private let permitsConnection: (@Sendable (IPAddress) -> Bool)?

    /// - Parameters:
    ///   - connections: connect, read and idle timeouts and idle connections kept per event loop.
    ///   - tlsConfiguration: for `https` targets; nil trusts the system's roots.
    ///   - maximumPools: distinct upstreams kept warm at once.
    ///   - permitsConnection: a last check on every address before connecting (tests use it to
    ///     make sure nothing but loopback is ever contacted); nil permits all checked addresses.
    /// - Throws: when the TLS configuration can't be loaded.
    public init(
        connections: UpstreamPool.Configuration = .init(), tlsConfiguration: TLSConfiguration? = nil,
        maximumPools: Int = 256, permitsConnection: (@Sendable (IPAddress) -> Bool)? = nil
    ) throws {
        self.configuration = connections
        self.tlsContext = try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration())
        self.group = MultiThreadedEventLoopGroup.singleton
        self.maximumPools = maximumPools
        self.permitsConnection = permitsConnection
    }

    /// The pool that reaches `target` at its checked address.
    func pool(for target: CheckedTarget) throws(ProxyRejection) -> UpstreamPool {
        if let permitsConnection, !permitsConnection(target.address) {
            throw ProxyRejection(
                .forbidden, reason: "connection-filter", "Forbidden: connecting to \(target.address) is not permitted.")
        }
        let url = target.url
        let tls = url.scheme == .https
        let key = Key(
            address: target.address, port: url.port, serverName: tls && url.address == nil ? url.host : nil, tls: tls)
        let (pool, evicted) = pools.withLockedValue { pools -> (UpstreamPool, UpstreamPool?) in
            if let existing = pools[key] { return (existing, nil) }
            var evicted: UpstreamPool?
            if pools.count >= maximumPools, let victim = pools.keys.first {
                evicted = pools.removeValue(forKey: victim)
            }
            let created = UpstreamPool(
                host: target.address.description, port: url.port,
                tls: tls ? (tlsContext, key.serverName) : nil, configuration: configuration, group: group)
            pools[key] = created
            return (created, evicted)
        }
        if let evicted { Task { await evicted.shutdown() } }
        return pool
    }

    /// Closes every idle connection; call once the server stopped.
    public func shutdown() async {
        let all = pools.withLockedValue { pools in
            defer { pools.removeAll() }
            return Array(pools.values)
        }
        for pool in all { await pool.shutdown() }
    }
}
#endif
