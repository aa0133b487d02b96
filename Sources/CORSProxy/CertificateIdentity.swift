import CORSNIO
import NIOCore
import NIOSSL

/// The name check a browser makes on an `https://name/` upstream, on top of NIOSSL's.
///
/// NIOSSL's own check also accepts a certificate that names the *connected address* in an IP
/// subjectAltName, or (with no subjectAltName at all) a matching common name, and partial
/// wildcards such as `f*.example.com`. Browsers accept none of these for a host name: with
/// anyone able to get a certificate for an address they hold, someone who can steer a name's
/// lookup to their address could otherwise pass as that name. Here a named upstream's certificate
/// must carry the name in a DNS subjectAltName (RFC 6125 §6.4, as Chromium applies it).
enum CertificateIdentity {
    /// A TLS client handler for `serverName` whose handshake fails, before any request is sent,
    /// unless the verified leaf certificate names it. Uses NIOSSL's additional-verification hook
    /// (underscored: NIOSSL's version is pinned by this package's dependencies).
    static func clientHandler(context: NIOSSLContext, serverName: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler._makeSSLClientHandler(context: context, serverHostname: serverName) { leaf, channel in
            let dnsNames = leaf._subjectAlternativeNames().filter { $0.nameType == .dnsName }.map {
                String(decoding: $0.contents, as: UTF8.self)
            }
            if dnsNames.contains(where: { matches(pattern: $0, host: serverName) }) {
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            return channel.eventLoop.makeFailedFuture(CertificateNameMismatch(host: serverName, dnsNames: dnsNames))
        }
    }

    /// Whether a certificate's DNS name `pattern` covers `host`: equal ignoring ASCII case (and a
    /// final dot), or `*.` followed by at least two labels, where `*` stands for exactly one whole,
    /// non-empty label of `host`.
    static func matches(pattern: String, host: String) -> Bool {
        let pattern = trimmed(pattern)
        let host = trimmed(host)
        guard !pattern.isEmpty, !host.isEmpty else { return false }
        guard pattern.utf8.first == UInt8(ascii: "*") else { return ASCII.equalsIgnoringCase(pattern, anyCase: host) }
        let rest = pattern.utf8.dropFirst()
        // `*.` then a name with a dot in it: `*.example.com`, never `*.com`, `*`, `f*.example.com`.
        guard rest.first == UInt8(ascii: "."), rest.dropFirst().contains(UInt8(ascii: ".")),
            !rest.contains(UInt8(ascii: "*")),
            let firstDot = host.utf8.firstIndex(of: UInt8(ascii: ".")), firstDot != host.utf8.startIndex
        else { return false }
        let hostRest = host.utf8[firstDot...]
        return hostRest.count == rest.count && zip(hostRest, rest).allSatisfy { ASCII.lower($0) == ASCII.lower($1) }
    }

    private static func trimmed(_ name: String) -> String {
        name.utf8.last == UInt8(ascii: ".") ? String(name.dropLast()) : name
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
