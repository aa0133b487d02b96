#if Tools
import CORSBrowser
import NIOCore
import NIOSSL

/// The name check a browser makes on an `https://name/` upstream, on top of NIOSSL's.
///
/// NIOSSL's own check also accepts a certificate that names the *connected address* in an IP
/// subjectAltName, or (with no subjectAltName at all) a matching common name, and partial
/// wildcards such as `f*.example.com`. Browsers accept none of these for a host name: with
/// anyone able to get a certificate for an address they hold, someone who can steer a name's
/// lookup to their address could otherwise pass as that name. Here a named upstream's certificate
/// must carry the name in a DNS subjectAltName (`CertificateNameRule`, which `cors check` applies
/// too).
enum CertificateIdentity {
    /// A TLS client handler for `serverName`. With full verification (the default) its handshake
    /// fails, before any request is sent, unless the verified leaf certificate names the host; a
    /// configuration that turned hostname verification off, or all verification, is taken at its
    /// word. Uses NIOSSL's additional-verification hook, underscored: a NIOSSL release that changes
    /// it fails this package's build, not silently its check.
    static func clientHandler(context: NIOSSLContext, serverName: String) throws -> NIOSSLClientHandler {
        guard context.configuration.certificateVerification == .fullVerification else {
            // NIOSSL refuses the hook without verification (a precondition, even in release builds).
            return try NIOSSLClientHandler(context: context, serverHostname: serverName)
        }
        let host = Array(serverName.utf8)
        return try NIOSSLClientHandler._makeSSLClientHandler(context: context, serverHostname: serverName) {
            leaf, channel in
            let dnsNames = leaf._subjectAlternativeNames().filter { $0.nameType == .dnsName }.map { Array($0.contents) }
            if dnsNames.contains(where: { CertificateNameRule.matches(pattern: $0, host: host) }) {
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            return channel.eventLoop.makeFailedFuture(
                CertificateNameMismatch(
                    host: serverName, dnsNames: dnsNames.map { String(decoding: $0, as: UTF8.self) }))
        }
    }
}

/// The upstream's certificate is trusted but names another host: refused like a failed handshake.
struct CertificateNameMismatch: Error, CustomStringConvertible {
    let host: String
    let dnsNames: [String]

    var description: String {
        dnsNames.isEmpty
            ? "its certificate names no host (a DNS subjectAltName is required for \(host))"
            : "its certificate names \(dnsNames.joined(separator: ", ")), not \(host)"
    }
}
#endif
