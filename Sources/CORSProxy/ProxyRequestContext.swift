public import Hummingbird
public import NIOCore

/// The request context of the gateway and the proxy: Hummingbird's basics plus the client's
/// address, for `X-Forwarded-For` and the access log.
public struct ProxyRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, if known.
    var clientAddress: String? { remoteAddress?.ipAddress }
}
