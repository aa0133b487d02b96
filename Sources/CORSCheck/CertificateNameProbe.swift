#if Tools
import CORSBrowser
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Browsers' certificate name rule for an `https:` target, which AsyncHTTPClient's TLS does not
/// apply: NIOSSL also accepts, for a host name, a certificate that names only the connected
/// address (an IP subjectAltName) or only a common name, and partial wildcards; for an address,
/// a common name. Chromium refuses them all (`net::ERR_CERT_COMMON_NAME_INVALID`): the page's
/// fetch fails before any CORS check.
///
/// AsyncHTTPClient shows no certificate, so this is a handshake of its own before the request.
/// Only when it completes (NIOSSL trusted the chain) is the leaf certificate judged; any other
/// outcome (refused, untrusted, slow) is left to the request itself, which reports it.
enum CertificateNameProbe {
    /// The certificate is trusted but does not name the host the way a browser requires.
    struct Mismatch: Error, Equatable {
        let host: String
        /// What the certificate's subjectAltName carries: DNS names, then addresses.
        let names: [String]
    }

    /// The host as the rule sees it: a plain DNS name, an address, or something it can't judge.
    enum Target: Equatable {
        case name(String)
        case address([UInt8], connectTo: String)

        /// `host` as `BrowserURL` gives it (lowercased, an IPv6 address in brackets); nil for a
        /// name the rule can't judge (internationalised, or ending in a number that is not a
        /// dotted IPv4 address, which browsers would read as one).
        init?(host: String) {
            if host.hasPrefix("["), host.hasSuffix("]") {
                let address = String(host.dropFirst().dropLast())
                guard let bytes = Self.addressBytes(address) else { return nil }
                self = .address(bytes, connectTo: address)
            } else if let bytes = Self.addressBytes(host) {
                self = .address(bytes, connectTo: host)
            } else if CertificateNameRule.isPlainHostName(host), !Self.endsInANumber(host) {
                self = .name(host)
            } else {
                return nil
            }
        }

        /// The address's bytes, in network order, for a dotted IPv4 or an IPv6 address.
        static func addressBytes(_ text: String) -> [UInt8]? {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
            return nil
        }

        /// The URL standard's test: the last label is decimal digits or `0x` and hex digits.
        private static func endsInANumber(_ host: String) -> Bool {
            var labels = host.split(separator: ".", omittingEmptySubsequences: false)
            if labels.last == "", labels.count > 1 { labels.removeLast() }
            guard let last = labels.last, !last.isEmpty else { return false }
            if last.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) { return true }
            let lowered = last.lowercased()
            return lowered.hasPrefix("0x") && lowered.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
        }
    }

    /// Nil when the certificate names `target` or the handshake did not complete.
    static func check(
        _ target: Target, port: Int, configuration: TLSConfiguration, timeout: TimeAmount
    ) async -> Mismatch? {
        guard configuration.certificateVerification == .fullVerification,
            let context = try? NIOSSLContext(configuration: configuration)
        else { return nil }
        let (connectTo, serverName): (String, String?) =
            switch target {
            case .name(let name): (name, name)
            case .address(_, let address): (address, nil)
            }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let leaf = eventLoop.makePromise(of: NIOSSLCertificate?.self)
        let deadline = eventLoop.scheduleTask(in: timeout) { leaf.fail(ChannelError.connectTimeout(timeout)) }
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(leaf: leaf))
                }
            }
            .connect(host: connectTo, port: port)
        connected.whenFailure { leaf.fail($0) }
        let certificate = try? await leaf.futureResult.get()
        deadline.cancel()
        if let channel = try? await connected.get() { try? await channel.close() }
        guard let certificate else { return nil }
        return mismatch(certificate, target: target)
    }

    static func mismatch(_ certificate: NIOSSLCertificate, target: Target) -> Mismatch? {
        let alternativeNames = Array(certificate._subjectAlternativeNames())
        let dnsNames = alternativeNames.filter { $0.nameType == .dnsName }.map { Array($0.contents) }
        let addresses = alternativeNames.filter { $0.nameType == .ipAddress }.map { Array($0.contents) }
        switch target {
        case .name(let host):
            if dnsNames.contains(where: { CertificateNameRule.matches(pattern: $0, host: Array(host.utf8)) }) {
                return nil
            }
        case .address(let bytes, _):
            if addresses.contains(bytes) { return nil }
        }
        let names = dnsNames.map { String(decoding: $0, as: UTF8.self) } + addresses.map(describeAddress)
        switch target {
        case .name(let host): return Mismatch(host: host, names: names)
        case .address(_, let address): return Mismatch(host: address, names: names)
        }
    }

    private static func describeAddress(_ bytes: [UInt8]) -> String {
        guard bytes.count == 4 || bytes.count == 16,
            let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0)
        else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        return address.ipAddress ?? "?"
    }
}

/// Hands on the peer's certificate once the TLS handshake completed (NIOSSL verified it), or
/// the handshake's error.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let leaf: EventLoopPromise<NIOSSLCertificate?>

    init(leaf: EventLoopPromise<NIOSSLCertificate?>) {
        self.leaf = leaf
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            leaf.completeWith(Result { try context.pipeline.syncOperations.nioSSL_peerCertificate() })
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        leaf.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        leaf.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
#endif
