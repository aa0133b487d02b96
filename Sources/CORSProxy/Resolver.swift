#if Tools
public import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks up every A and AAAA record of a host name. Injected so that tests (and operators with
/// their own DNS) decide what names mean; the proxy connects only to addresses returned here.
public protocol Resolver: Sendable {
    /// Every address `host` (a name, not an IP literal) resolves to; the proxy connects to the first one, once
    /// all pass the address check. Throws (or returns no address) when the name does not resolve: the proxy then
    /// answers 502.
    func resolve(host: String) async throws -> [IPAddress]
}

/// A name that resolved to nothing, or failed to resolve.
public struct ResolutionError: Error, Sendable, CustomStringConvertible {
    /// The name that was looked up.
    public let host: String
    /// Why the lookup failed: `gai_strerror`'s text, or `no A or AAAA record`.
    public let detail: String
    /// Creates an error for `host`, explained by `detail`.
    public init(host: String, detail: String) {
        self.host = host
        self.detail = detail
    }
    public var description: String { "could not resolve \(host): \(detail)" }
}

/// `getaddrinfo`, run on NIO's blocking thread pool.
public struct SystemResolver: Resolver {
    let threadPool: NIOThreadPool

    /// Creates a resolver whose blocking lookups run on `threadPool` (NIO's shared pool by default).
    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    /// The A and AAAA addresses `getaddrinfo` returns for `host`, in its order, without duplicates; throws a
    /// ``ResolutionError`` when it fails or finds none.
    public func resolve(host: String) async throws -> [IPAddress] {
        try await threadPool.runIfActive { try Self.lookup(host: host) }
    }

    static func lookup(host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = host.withCString { getaddrinfo($0, nil, &hints, &result) }
        guard status == 0, let first = result else {
            throw ResolutionError(host: host, detail: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr {
                // sockaddr_in: the address at byte 4; sockaddr_in6: at byte 8 (Linux and BSD layouts).
                let raw = UnsafeRawPointer(sockaddr)
                switch Int32(sockaddr.pointee.sa_family) {
                case AF_INET:
                    addresses.append(.v4(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))))
                case AF_INET6:
                    let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                    addresses.append(.v6(high, low))
                default:
                    break
                }
            }
            cursor = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ResolutionError(host: host, detail: "no A or AAAA record") }
        var unique: [IPAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
#endif
